#version 330
// Push-pull fill, "push" step: a level's own average where it was known, the coarser
// filled level (bilinear) where it was not.
in vec2 uv;
out vec4 fragColor;
uniform sampler2D own;     // this level from the pull (a: weight)
uniform sampler2D coarser; // the next coarser level, already filled (or its pull, the coarsest)

void main() {
    vec4 c = texelFetch(own, ivec2(gl_FragCoord.xy), 0);
    vec4 below = texture(coarser, uv);
    fragColor = vec4(mix(below.rgb, c.rgb, c.a), max(c.a, below.a));
}
