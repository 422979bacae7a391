/*{
  "description": "Depth of field: blur that grows with distance from the focus depth (a pyramid of blurs, up to 48 px).",
  "key": "O",
  "reads_depth": true,
  "params": {
    "focus": {"type": "float", "default": 0.5, "min": 0, "max": 1, "doc": "the depth in focus (1 = near, 0 = far); modulate it to pull focus"},
    "blur": {"type": "float", "default": 12.0, "min": 0, "max": 48, "doc": "largest blur radius, px"},
    "range": {"type": "float", "default": 0.5, "min": 0.01, "max": 1, "doc": "depth distance from focus at which the blur reaches its largest"},
    "side": {"type": "choice", "default": "both", "values": ["both", "far", "near"], "doc": "blur on both sides of the focus, or only behind it (far) or in front of it (near)"}
  },
  "passes": [
    {"target": "h1"}, {"target": "l1"},
    {"target": "h2", "divisor": 2}, {"target": "l2", "divisor": 2},
    {"target": "h3", "divisor": 4}, {"target": "l3", "divisor": 4},
    {"target": "h4", "divisor": 8}, {"target": "l4", "divisor": 8},
    {"target": "h5", "divisor": 16}, {"target": "l5", "divisor": 16},
    {}
  ]
}*/
// Level k (1..5) is the input blurred with radius 3 * 2^(k-1) px (sigma = radius / 3) at
// 1/2^(k-1) of the size: level 1 blurs the input, each next level halves the previous
// one's size (a 2x2 box) and adds the missing blur: sigma_k^2 - sigma_(k-1)^2 less the
// box's own variance, i.e. sqrt(8/3) texels of the finer level. The last pass reads the
// circle of confusion from the depth map and interpolates between the two levels around it.
#include "gaussian.glsl"
const float INC = 1.6329932;  // sqrt(8/3)
vec4 effect(vec2 uv) {
#if PASSINDEX == 0
    return gaussian(inputImage, uv, vec2(1.0, 0.0), 3.0);
#elif PASSINDEX == 1
    return gaussian(h1, uv, vec2(0.0, 1.0), 3.0);
#elif PASSINDEX == 2
    return gaussian(l1, uv, vec2(1.0, 0.0), 3.0 * INC);  // finer texels: twice the radius
#elif PASSINDEX == 3
    return gaussian(h2, uv, vec2(0.0, 1.0), 1.5 * INC);
#elif PASSINDEX == 4
    return gaussian(l2, uv, vec2(1.0, 0.0), 3.0 * INC);
#elif PASSINDEX == 5
    return gaussian(h3, uv, vec2(0.0, 1.0), 1.5 * INC);
#elif PASSINDEX == 6
    return gaussian(l3, uv, vec2(1.0, 0.0), 3.0 * INC);
#elif PASSINDEX == 7
    return gaussian(h4, uv, vec2(0.0, 1.0), 1.5 * INC);
#elif PASSINDEX == 8
    return gaussian(l4, uv, vec2(1.0, 0.0), 3.0 * INC);
#elif PASSINDEX == 9
    return gaussian(h5, uv, vec2(0.0, 1.0), 1.5 * INC);
#else
    float d = texture(depthMap, uv).r;
    float away = d - focus;
    if (side == SIDE_FAR) away = min(away, 0.0);
    if (side == SIDE_NEAR) away = max(away, 0.0);
    float r = blur * clamp(abs(away) / range, 0.0, 1.0);
    // Levels 0 (sharp) .. 5 at radii 0, 3, 6, 12, 24, 48 px.
    float level = r < 3.0 ? r / 3.0 : 1.0 + log2(r / 3.0);
    int k = int(floor(level));
    float t = level - float(k);
    vec4 a, b;
    if (k <= 0) { a = texture(inputImage, uv); b = texture(l1, uv); }
    else if (k == 1) { a = texture(l1, uv); b = texture(l2, uv); }
    else if (k == 2) { a = texture(l2, uv); b = texture(l3, uv); }
    else if (k == 3) { a = texture(l3, uv); b = texture(l4, uv); }
    else { a = texture(l4, uv); b = texture(l5, uv); t = k >= 5 ? 1.0 : t; }
    return mix(a, b, t);
#endif
}
