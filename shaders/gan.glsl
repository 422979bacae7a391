/*{
  "description": "A GAN's images (input gan:clouds, gan:landscape, gan:books or gan:FILE), made on a worker, upscaled on the GPU, walked through latent space",
  "kind": "source",
  "params": {
    "image": {"type": "int", "default": 0, "min": 0, "max": 1000000000, "doc": "which image of the seed's sequence (G in play: the next)"},
    "walk": {"type": "bool", "default": true, "doc": "latent walk: move on a closed path around the image's latent (W in play)"},
    "speed": {"type": "float", "default": 1, "min": 0, "max": 16, "integrate": true, "doc": "trips around the walk's closed path per loop (whole numbers close the loop)"},
    "radius": {"type": "float", "default": 0.6, "min": 0, "max": 2, "doc": "how far the walk strays from the image's latent"},
    "upscale": {"type": "choice", "default": "cubic", "values": ["nearest", "linear", "cubic"], "doc": "GPU upscaling of the small image: nearest keeps the blocks"},
    "fade": {"type": "float", "default": 1.0, "min": 0, "max": 10, "doc": "crossfade to a new image, seconds (0: cut)"}
  },
  "passes": [{"target": "small", "divisor": 2}, {"resamples": "small", "unless": {"upscale": "nearest"}}]
}*/
// image, walk, speed and radius are read on the Python side (shaderviz/sources/gan.py),
// which makes the image on a worker; this shader upscales what was uploaded last
// (generatedImage) and crossfades from the one before it (previousImage). The filter and
// the crossfade run at half size (pass 0); pass 1 only doubles that, bilinearly (nearest:
// from texel centres, so the blocks stay sharp): a quarter of the cost of filtering at
// full size, which software GL needs for 30 frames/s at 720p. Pass 1 is declared
// "resamples": an effect after it that only samples its input may read `small` itself,
// and then pass 1 does not run at all.
uniform sampler2D generatedImage;
uniform sampler2D previousImage;
uniform float GENTIME;  // seconds since the current image arrived
uniform int GENFIT;     // 0 fill (crop), 1 fit (letterbox), 2 stretch

vec2 fitted(vec2 p, vec2 size) {
    float ratio = (RENDERSIZE.x / RENDERSIZE.y) / (size.x / size.y);
    vec2 scale = vec2(1.0);
    if (GENFIT == 0) scale = ratio > 1.0 ? vec2(1.0, 1.0 / ratio) : vec2(ratio, 1.0);
    if (GENFIT == 1) scale = ratio > 1.0 ? vec2(ratio, 1.0) : vec2(1.0, 1.0 / ratio);
    return (p - 0.5) * scale + 0.5;
}

// All three filters run through the same five bilinear taps, without branches: software
// GL (llvmpipe) evaluates every side of a branch, so three code paths cost all three.
// cubic: Catmull-Rom from 5 taps, the 9-tap bilinear form without its four corner taps
// (tiny weights: products of the outer lobes), renormalised. linear: the centre tap at p.
// nearest: the centre tap at the texel's centre. The outer taps get weight 0 but for cubic.
vec3 upscaled(sampler2D tex, vec2 p) {
    vec2 size = vec2(textureSize(tex, 0));
    vec2 pos = p * size;
    vec2 c = floor(pos - 0.5) + 0.5;
    vec2 f = pos - c;
    float cubic = upscale == UPSCALE_CUBIC ? 1.0 : 0.0;
    vec2 w0 = f * (-0.5 + f * (1.0 - 0.5 * f)) * cubic;
    vec2 w1 = 1.0 + f * f * (-2.5 + 1.5 * f);
    vec2 w2 = f * (0.5 + f * (2.0 - 1.5 * f));
    vec2 w3 = f * f * (-0.5 + 0.5 * f) * cubic;
    vec2 w12 = w1 + w2;
    vec2 t0 = (c - 1.0) / size;
    vec2 t3 = (c + 2.0) / size;
    vec2 centre = upscale == UPSCALE_NEAREST ? (floor(pos) + 0.5) / size : p;
    vec2 t12 = upscale == UPSCALE_CUBIC ? (c + w2 / w12) / size : centre;
    w12 = mix(vec2(1.0), w12, cubic);
    vec3 sum = texture(tex, vec2(t12.x, t0.y)).rgb * (w12.x * w0.y)
             + texture(tex, vec2(t0.x, t12.y)).rgb * (w0.x * w12.y)
             + texture(tex, vec2(t12.x, t12.y)).rgb * (w12.x * w12.y)
             + texture(tex, vec2(t3.x, t12.y)).rgb * (w3.x * w12.y)
             + texture(tex, vec2(t12.x, t3.y)).rgb * (w12.x * w3.y);
    float weight = w12.x * w0.y + w0.x * w12.y + w12.x * w12.y + w3.x * w12.y + w12.x * w3.y;
    vec3 color = clamp(sum / weight, 0.0, 1.0);
    bool outside = any(lessThan(p, vec2(0.0))) || any(greaterThan(p, vec2(1.0)));
    return outside ? vec3(0.0) : color;  // letterbox bars
}

vec4 effect(vec2 uv) {
#if PASSINDEX == 0
    vec2 p = fitted(uv, vec2(textureSize(generatedImage, 0)));
    vec3 color = upscaled(generatedImage, p);
#if FADING  // compiled in while a crossfade runs: software GL would run the blend every frame
    float t = fade > 0.0 ? clamp(GENTIME / fade, 0.0, 1.0) : 1.0;
    if (t < 1.0) color = mix(upscaled(previousImage, p), color, t * t * (3.0 - 2.0 * t));
#endif
    return vec4(color, 1.0);
#else
    vec2 size = vec2(textureSize(small, 0));
    vec2 q = upscale == UPSCALE_NEAREST ? (floor(uv * size) + 0.5) / size : uv;
    return vec4(texture(small, q).rgb, 1.0);
#endif
}
