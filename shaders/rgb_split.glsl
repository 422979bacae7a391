/*{
  "description": "Split and shift the RGB channels: red one way, blue the other.",
  "key": "R",
  "variants": ["wobble"],
  "params": {
    "amount": {"type": "float", "default": 0.01, "min": 0, "max": 0.25, "doc": "shift as a fraction of the width"},
    "angle": {"type": "float", "default": 0, "min": -360, "max": 360, "unit": "deg", "doc": "direction red moves, degrees (0 = right, 90 = up)"},
    "wobble": {"type": "float", "default": 0, "min": 0, "max": 1, "doc": "animated swing of direction (up to 45 degrees) and amount over the loop"},
    "cycles": {"type": "int", "default": 1, "min": 1, "max": 16, "doc": "wobbles per loop"}
  }
}*/

vec4 effect(vec2 uv) {
    vec2 dir = angle_dir;  // (cos, sin) of the angle, from the CPU: no sin() per pixel
    float amt = amount;
#if WOBBLE_ON  // compiled in ("variants"): software GL runs a branch's sin() even when it is off
    {
        float turn = 6.28318530718 * PHASE * float(cycles);
        float a = radians(angle) + wobble * 0.78539816 * sin(turn);
        dir = vec2(cos(a), sin(a));
        amt *= 1.0 + wobble * 0.5 * cos(turn);
    }
#endif
    // Equal shift in pixels along x and y: scale the y part by the aspect ratio.
    vec2 d = amt * vec2(dir.x, dir.y * RENDERSIZE.x / RENDERSIZE.y);
    vec4 r = texture(inputImage, uv - d), g = texture(inputImage, uv), b = texture(inputImage, uv + d);
    return vec4(r.r, g.g, b.b, max(max(r.a, g.a), b.a));  // alpha: where any channel lands
}
