#version 330
// The parallax's front depth: the map dilated by one pixel on the near side of depth edges
// (3x3 max where it stands more than JUMP above the pixel), so the anti-aliased rim of a
// near object moves with it; smooth surfaces keep their own depth.
in vec2 uv;
out vec4 fragColor;
uniform sampler2D depth;
const float JUMP = 0.05;

void main() {
    ivec2 p = ivec2(gl_FragCoord.xy);
    ivec2 last = textureSize(depth, 0) - 1;
    float own = texelFetch(depth, p, 0).r;
    float d = own;
    for (int j = -1; j <= 1; j++) {
        for (int i = -1; i <= 1; i++) {
            d = max(d, texelFetch(depth, clamp(p + ivec2(i, j), ivec2(0), last), 0).r);
        }
    }
    fragColor = vec4(d - own > JUMP ? d : own, 0.0, 0.0, 1.0);
}
