/*{
  "description": "Gaussian blur: wipe out structure. Large radii run on a downsampled copy.",
  "key": "B",
  "params": {
    "radius": {"type": "float", "default": 4, "min": 0, "max": 64, "unit": "px", "doc": "blur radius in pixels (3 sigma)"}
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
    return texture(vertical, uv);
#endif
}
