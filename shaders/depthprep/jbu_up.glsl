#version 330
// Joint bilateral upsampling, step 2: each output pixel averages the 5x5 nearest
// low-resolution depth samples, weighted by distance (sigmaSpace, in low texels) and by
// the distance of their mean colour from the pixel's own (sigmaRange): depth follows the
// image's edges instead of the model's blurred ones.
in vec2 uv;
out vec4 fragColor;
uniform sampler2D guide;  // the source image, full size
uniform sampler2D low;    // rgb: block colour, a: block depth
uniform int factor;
uniform float sigmaSpace;
uniform float sigmaRange;

void main() {
    ivec2 p = ivec2(gl_FragCoord.xy);
    vec3 colour = texelFetch(guide, p, 0).rgb;
    vec2 at = (vec2(p) + 0.5) / float(factor) - 0.5;  // low-res texel coordinates (centres at integers)
    ivec2 base = ivec2(floor(at + 0.5));
    ivec2 last = textureSize(low, 0) - 1;
    float ks = -0.5 / (sigmaSpace * sigmaSpace);
    float kr = -0.5 / (sigmaRange * sigmaRange);
    float sum = 0.0;
    float total = 0.0;
    for (int j = -2; j <= 2; j++) {
        for (int i = -2; i <= 2; i++) {
            ivec2 q = base + ivec2(i, j);
            vec4 s = texelFetch(low, clamp(q, ivec2(0), last), 0);
            vec2 d = vec2(q) - at;
            vec3 dc = s.rgb - colour;
            // The small constant keeps a plain spatial average where no colour matches.
            float w = exp(ks * dot(d, d)) * (exp(kr * dot(dc, dc)) + 1e-4);
            sum += w * s.a;
            total += w;
        }
    }
    fragColor = vec4(sum / total, 0.0, 0.0, 1.0);
}
