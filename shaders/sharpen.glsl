/*{
  "description": "Unsharp mask: amplify structure (the image minus its blur, added back).",
  "key": "K",
  "params": {
    "amount": {"type": "float", "default": 1.0, "min": 0, "max": 10, "doc": "strength"},
    "radius": {"type": "float", "default": 2.0, "min": 0, "max": 32, "unit": "px", "doc": "size of the structure amplified, in pixels"}
  },
  "passes": [
    {"target": "down", "scale_by": "radius", "skip_at_full_size": true},
    {"target": "horizontal", "scale_by": "radius"},
    {"target": "vertical", "scale_by": "radius"},
    {}
  ]
}*/
#include "gaussian.glsl"

vec4 effect(vec2 uv) {
#if PASSINDEX == 0
    return downsample(inputImage, uv, PASSSCALE);
#elif PASSINDEX == 1
    return gaussian(down, uv, vec2(1.0, 0.0), radius / PASSSCALE);
#elif PASSINDEX == 2
    return gaussian(horizontal, uv, vec2(0.0, 1.0), radius / PASSSCALE);
#else
    vec4 c = texture(inputImage, uv);
    vec4 blurred = texture(vertical, uv);
    return clamp(c + amount * (c - blurred), 0.0, 1.0);
#endif
}
