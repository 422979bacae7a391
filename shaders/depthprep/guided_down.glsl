#version 330
// Fast guided filter (He & Sun 2015), step 1: box-average, over blocks of factor x factor
// pixels of the refinement size, the guide image I (the source, rgb), the depth p and the
// products the filter's local regressions need (I I^T and I p). Both are read at the
// refinement's pixel centres with bilinear filtering: at the guide's own size that is its
// texel; at half its size, the mean of a 2 x 2 block. The depth may be the model's small map
// (then bilinear sampling is its upscaling, with no full-size pass for it).
in vec2 uv;
layout(location = 0) out vec4 outMean;   // r, g, b, p
layout(location = 1) out vec4 outSq;     // rr, rg, rb, gg
layout(location = 2) out vec4 outMixed;  // gb, bb, rp, gp
layout(location = 3) out vec4 outLast;   // bp
uniform sampler2D guide;
uniform sampler2D depth;
uniform int factor;
uniform ivec2 size;  // the refinement's size

void main() {
    ivec2 base = ivec2(gl_FragCoord.xy) * factor;
    vec2 texel = 1.0 / vec2(size);
    vec4 mean = vec4(0.0);
    vec4 sq = vec4(0.0);
    vec4 mixed = vec4(0.0);
    float last = 0.0;
    for (int j = 0; j < factor; j++) {
        for (int i = 0; i < factor; i++) {
            ivec2 pixel = min(base + ivec2(i, j), size - 1);
            vec2 at = (vec2(pixel) + 0.5) * texel;
#if REDUCED
            vec3 c = texture(guide, at).rgb;
#else
            vec3 c = texelFetch(guide, pixel, 0).rgb;  // the same, cheaper in software GL
#endif
            float p = texture(depth, at).r;
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
