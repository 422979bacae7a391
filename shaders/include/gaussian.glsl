#ifndef SV_GAUSSIAN
#define SV_GAUSSIAN
// Separable gaussian: sigma = radius / 3, taps out to +-ceil(radius) texels. Pairs of
// neighbouring taps are read with one bilinear fetch at their weighted position, which
// halves the texture reads (the same sum, up to filtering precision).
vec4 gaussian(sampler2D tex, vec2 uv, vec2 direction, float radius) {
    vec2 stride = direction / vec2(textureSize(tex, 0));
    float sigma = max(radius / 3.0, 1e-3);
    float k = -0.5 / (sigma * sigma);
    int taps = int(ceil(radius));
    vec4 sum = texture(tex, uv);
    float total = 1.0;
    for (int i = 1; i <= taps; i += 2) {
        float w0 = exp(k * float(i * i));
        float w1 = i + 1 <= taps ? exp(k * float((i + 1) * (i + 1))) : 0.0;
        float w = w0 + w1;
        vec2 offset = (float(i) + w1 / w) * stride;
        sum += w * (texture(tex, uv + offset) + texture(tex, uv - offset));
        total += 2.0 * w;
    }
    return sum / total;
}

// Box-average down to this pass's size: one bilinear tap covers 2x2 texels,
// four taps cover 4x4 (an exact box for the factors scale_factor() picks).
vec4 downsample(sampler2D tex, vec2 uv, float factor) {
    if (factor < 4.0) return texture(tex, uv);
    vec2 t = 1.0 / vec2(textureSize(tex, 0));
    return 0.25 * (texture(tex, uv + vec2(-t.x, -t.y)) + texture(tex, uv + vec2(t.x, -t.y))
                 + texture(tex, uv + vec2(-t.x, t.y)) + texture(tex, uv + vec2(t.x, t.y)));
}
#endif
