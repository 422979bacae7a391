#version 330
// The farthest (smallest nearness) value of each factor x factor block.
in vec2 uv;
out vec4 fragColor;
uniform sampler2D depth;
uniform int factor;

void main() {
    ivec2 size = textureSize(depth, 0);
    ivec2 base = ivec2(gl_FragCoord.xy) * factor;
    float d = 1e9;
    for (int j = 0; j < factor; j++) {
        for (int i = 0; i < factor; i++) {
            d = min(d, texelFetch(depth, min(base + ivec2(i, j), size - 1), 0).r);
        }
    }
    fragColor = vec4(d, 0.0, 0.0, 1.0);
}
