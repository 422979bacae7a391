#version 330
// A depth map drawn bilinearly at the target's size: a small unrefined map into ``raw``,
// or a reduced refinement at the output size for the passes that read depth pixel by
// pixel (the parallax layers).
in vec2 uv;
out vec4 fragColor;
uniform sampler2D depth;

void main() {
    fragColor = vec4(texture(depth, uv).r, 0.0, 0.0, 1.0);
}
