/*{
  "description": "Ripples that travel through depth: a displacement wave from the nearest objects to the horizon (in) or back (out).",
  "key": "J",
  "reads_depth": true,
  "params": {
    "amount": {"type": "float", "default": 0.01, "min": 0, "max": 0.25, "doc": "displacement, fraction of the width"},
    "bands": {"type": "float", "default": 4.0, "min": 0, "max": 64, "doc": "waves across the whole depth range"},
    "speed": {"type": "int", "default": 1, "min": 0, "max": 16, "doc": "whole wave periods per loop (seamless)"},
    "direction": {"type": "choice", "default": "in", "values": ["in", "out"], "doc": "in: fronts travel from near to far; out: from far to near"},
    "angle": {"type": "float", "default": 90.0, "min": -360, "max": 360, "doc": "direction of the displacement, degrees (0 = right, 90 = up)"},
    "shade": {"type": "float", "default": 0.0, "min": 0, "max": 1, "doc": "brighten the crests and darken the troughs"}
  }
}*/
vec4 effect(vec2 uv) {
    float d = texture(depthMap, uv).r;
    float travel = direction == DIRECTION_IN ? 1.0 : -1.0;
    float wave = sin(6.28318530718 * (bands * d + travel * float(speed) * PHASE));
    float a = radians(angle);
    // The same number of pixels along x and y.
    vec2 offset = amount * wave * vec2(cos(a), sin(a) * RENDERSIZE.x / RENDERSIZE.y);
    vec3 c = texture(inputImage, uv - offset).rgb;
    return vec4(clamp(c * (1.0 + 0.5 * shade * wave), 0.0, 1.0), 1.0);
}
