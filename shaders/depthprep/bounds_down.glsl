#version 330
// March bounds for the parallax, step 1: per CELL x CELL block, the lowest nearness of the
// prepared map and the highest of the front layer (which is never lower than the map).
in vec2 uv;
out vec4 fragColor;  // r: lowest, g: highest
uniform sampler2D plain;
uniform sampler2D front;

void main() {
    ivec2 size = textureSize(plain, 0);
    ivec2 base = ivec2(gl_FragCoord.xy) * CELL;
    float lo = 1e9;
    float hi = -1e9;
    for (int j = 0; j < CELL; j++) {
        for (int i = 0; i < CELL; i++) {
            ivec2 p = min(base + ivec2(i, j), size - 1);
            lo = min(lo, texelFetch(plain, p, 0).r);
            hi = max(hi, texelFetch(front, p, 0).r);
        }
    }
    fragColor = vec4(lo, hi, 0.0, 1.0);
}
