/*{
  "description": "Animated noise clouds drawn on the GPU; the built-in default source. Loops seamlessly.",
  "kind": "source",
  "params": {
    "scale": {"type": "float", "default": 3.0, "min": 0.25, "max": 32, "doc": "feature size (larger = smaller clouds)"},
    "detail": {"type": "int", "default": 6, "min": 1, "max": 10, "doc": "noise octaves"},
    "drift": {"type": "float", "default": 0.6, "min": 0, "max": 8, "doc": "how far the clouds travel per loop"},
    "contrast": {"type": "float", "default": 1.6, "min": 0.1, "max": 8, "doc": "cloud edge contrast"},
    "sky": {"type": "color", "default": "#14224a", "doc": "colour of clear sky"},
    "cloud": {"type": "color", "default": "#f4efe4", "doc": "colour of dense cloud"},
    "glow": {"type": "color", "default": "#ff7a3d", "doc": "colour in the thin edges"}
  },
  "passes": [{"target": "field", "divisor": 4}, {}]
}*/
#include "noise.glsl"

vec4 effect(vec2 uv) {
#if PASSINDEX == 0
    // The density field is smooth: compute it at half size, colour it at full size.
    float aspect = RENDERSIZE.x / RENDERSIZE.y;
    vec2 p = vec2(uv.x * aspect, uv.y) * scale + float(SEED % 997) * 1.37;
    // Travel around a circle in the noise domain: phase 1 returns to phase 0.
    float turn = 6.28318530718 * PHASE;
    vec2 orbit = drift * vec2(cos(turn), sin(turn));
    float warp = fbm(p + orbit, 3);
    float density = fbm(p + 1.7 * warp - 0.6 * orbit.yx, detail);
    return vec4(clamp((density - 0.5) * contrast + 0.5, 0.0, 1.0), 0.0, 0.0, 1.0);
#else
    float density = texture(field, uv).r;
    float edge = 4.0 * density * (1.0 - density);
    vec3 color = mix(sky, cloud, density) + glow * edge * 0.35 * (1.0 - uv.y);
    return vec4(clamp(color, 0.0, 1.0), 1.0);
#endif
}
