#version 330
// One axis of the back depth: back(q) = min over |k| <= TAPS of depth(q + k axis) + kappa |k|.
// Two passes (x, then y) give the L1 cone. Slopes gentler than kappa keep their own
// depth; across a jump the far side spreads under the near side, kappa per texel higher.
in vec2 uv;
out vec4 fragColor;
uniform sampler2D depth;
uniform ivec2 axis;
uniform float kappa;  // nearness per texel

void main() {
    ivec2 p = ivec2(gl_FragCoord.xy);
    ivec2 size = textureSize(depth, 0);
    float d = texelFetch(depth, p, 0).r;
    for (int k = 1; k <= TAPS; k++) {
        float rise = kappa * float(k);
        if (rise >= d) break;  // nothing farther than 0 can lower it any more
        ivec2 a = p + axis * k;
        ivec2 b = p - axis * k;
        if (a.x < size.x && a.y < size.y) d = min(d, texelFetch(depth, a, 0).r + rise);
        if (b.x >= 0 && b.y >= 0) d = min(d, texelFetch(depth, b, 0).r + rise);
    }
    fragColor = vec4(d, 0.0, 0.0, 1.0);
}
