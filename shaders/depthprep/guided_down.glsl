#version 330
// Fast guided filter (He & Sun 2015), step 1: box-average, over blocks of factor x factor
// pixels, the guide image I (the source, rgb), the depth p and the products the filter's
// local regressions need (I I^T and I p).
in vec2 uv;
layout(location = 0) out vec4 outMean;   // r, g, b, p
layout(location = 1) out vec4 outSq;     // rr, rg, rb, gg
layout(location = 2) out vec4 outMixed;  // gb, bb, rp, gp
layout(location = 3) out vec4 outLast;   // bp
uniform sampler2D guide;
uniform sampler2D depth;
uniform int factor;

void main() {
    ivec2 size = textureSize(depth, 0);
    ivec2 base = ivec2(gl_FragCoord.xy) * factor;
    vec4 mean = vec4(0.0);
    vec4 sq = vec4(0.0);
    vec4 mixed = vec4(0.0);
    float last = 0.0;
    for (int j = 0; j < factor; j++) {
        for (int i = 0; i < factor; i++) {
            ivec2 at = min(base + ivec2(i, j), size - 1);
            vec3 c = texelFetch(guide, at, 0).rgb;
            float p = texelFetch(depth, at, 0).r;
            mean += vec4(c, p);
            sq += vec4(c.r * c.r, c.r * c.g, c.r * c.b, c.g * c.g);
            mixed += vec4(c.g * c.b, c.b * c.b, c.r * p, c.g * p);
            last += c.b * p;
        }
    }
    float n = float(factor * factor);
    outMean = mean / n;
    outSq = sq / n;
    outMixed = mixed / n;
    outLast = vec4(last / n, 0.0, 0.0, 1.0);
}
