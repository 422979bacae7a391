// Separable gaussian: sigma = radius / 3, taps out to +-ceil(radius) texels.
#ifndef SV_GAUSSIAN
#define SV_GAUSSIAN
vec4 gaussian(sampler2D tex, vec2 uv, vec2 direction, float radius) {
    vec2 stride = direction / vec2(textureSize(tex, 0));
    float sigma = max(radius / 3.0, 1e-3);
    int taps = int(ceil(radius));
    vec4 sum = vec4(0.0);
    float total = 0.0;
    for (int i = -taps; i <= taps; i++) {
        float w = exp(-0.5 * float(i * i) / (sigma * sigma));
        sum += w * texture(tex, uv + float(i) * stride);
        total += w;
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
