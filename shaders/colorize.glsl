/*{
  "description": "Colorize: map brightness to a palette (gradient map).",
  "key": "C",
  "pointwise": true,
  "params": {
    "palette": {"type": "choice", "default": "fire", "values": "palettes", "doc": "gradient to map brightness onto"},
    "amount": {"type": "float", "default": 1.0, "min": 0, "max": 1, "doc": "mix of palette colour over the image"},
    "shift": {"type": "float", "default": 0, "min": 0, "max": 1, "doc": "rotate the palette (animate with saw(0,1))"}
  }
}*/
#include "color.glsl"
#include "palette.glsl"

vec4 effect(vec2 uv) {
    vec4 src = INPUT(uv);
    vec3 c = src.rgb;
    float t = luma(c) + shift;
    if (t > 1.0) t -= 1.0;
    return vec4(mix(c, palette_color(palette, t), amount), src.a);
}
