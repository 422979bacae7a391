#version 330
// March bounds, step 2: widened to the 3x3 blocks around, so a sample anywhere in a block
// bounds every point within one block of it.
in vec2 uv;
out vec4 fragColor;
uniform sampler2D bounds;

void main() {
    ivec2 p = ivec2(gl_FragCoord.xy);
    ivec2 last = textureSize(bounds, 0) - 1;
    vec2 b = vec2(1e9, -1e9);
    for (int j = -1; j <= 1; j++) {
        for (int i = -1; i <= 1; i++) {
            vec2 c = texelFetch(bounds, clamp(p + ivec2(i, j), ivec2(0), last), 0).rg;
            b = vec2(min(b.x, c.x), max(b.y, c.y));
        }
    }
    fragColor = vec4(b, 0.0, 1.0);
}
