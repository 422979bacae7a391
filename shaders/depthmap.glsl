/*{
  "description": "Show the depth map (what the depth model sees): grey, or through a palette; near is the palette's end. D in play shows it over the chain.",
  "reads_depth": true,
  "pointwise": true,
  "params": {
    "palette": {"type": "choice", "default": "mono", "values": "palettes", "doc": "gradient from far (start) to near (end); mono is grey"},
    "amount": {"type": "float", "default": 1.0, "min": 0, "max": 1, "doc": "mix of the depth view over the image"},
    "near": {"type": "float", "default": 1.0, "min": 0, "max": 1, "doc": "depth shown as the palette's end (levels: stretch a range of depth)"},
    "far": {"type": "float", "default": 0.0, "min": 0, "max": 1, "doc": "depth shown as the palette's start"},
    "gamma": {"type": "float", "default": 1.0, "min": 0.1, "max": 10, "doc": "> 1 spreads the far tones, < 1 the near ones"},
    "invert": {"type": "bool", "default": false, "doc": "near dark, far bright"}
  }
}*/
#include "palette.glsl"
vec4 effect(vec2 uv) {
    float d = texture(depthMap, uv).r;
    float t = clamp((d - far) / max(near - far, 1e-5), 0.0, 1.0);
    if (near < far) t = clamp((d - near) / max(far - near, 1e-5), 0.0, 1.0);
    t = pow(t, gamma);
    if (invert) t = 1.0 - t;
    return vec4(mix(INPUT(uv).rgb, palette_color(palette, t), amount), 1.0);
}
