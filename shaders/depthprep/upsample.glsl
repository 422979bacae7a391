#version 330
// The refined map at the output size, bilinearly, for the passes that read it pixel by
// pixel (the parallax layers) when the refinement ran at a reduced size.
in vec2 uv;
out vec4 fragColor;
uniform sampler2D depth;

void main() {
    fragColor = vec4(texture(depth, uv).r, 0.0, 0.0, 1.0);
}
