/*{
  "description": "Amplify saturation (negative amounts desaturate; -1 is grey).",
  "key": "T",
  "pointwise": true,
  "params": {
    "amount": {"type": "float", "default": 0.8, "min": -1, "max": 5, "doc": "0 = unchanged"}
  }
}*/
#include "color.glsl"

vec4 effect(vec2 uv) {
    vec4 src = INPUT(uv);
    vec3 c = src.rgb;
    return vec4(clamp(mix(vec3(luma(c)), c, 1.0 + amount), 0.0, 1.0), src.a);
}
