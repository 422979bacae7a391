/*{
  "description": "Colour by depth: a palette over depth, bands or contour lines travelling through depth, fog toward the far.",
  "key": "U",
  "reads_depth": true,
  "pointwise": true,
  "params": {
    "palette": {"type": "choice", "default": "thermal", "values": "palettes", "doc": "gradient from far (start) to near (end)"},
    "amount": {"type": "float", "default": 0.7, "min": 0, "max": 1, "doc": "mix of the palette colour over the image"},
    "shift": {"type": "float", "default": 0.0, "min": -1, "max": 1, "doc": "slide the palette along depth (it wraps: its end meets its start)"},
    "bands": {"type": "int", "default": 0, "min": 0, "max": 64, "doc": "0: a smooth gradient; N: N flat bands across the depth range"},
    "lines": {"type": "float", "default": 0.0, "min": 0, "max": 32, "doc": "contour lines this many px wide at the band edges instead of filled bands (8 bands if bands=0)"},
    "speed": {"type": "int", "default": 0, "min": -16, "max": 16, "doc": "the palette / bands travel through the whole depth range this many times per loop (positive: toward the far)"},
    "fog": {"type": "float", "default": 0.0, "min": 0, "max": 1, "doc": "fog at the farthest depth (none at the nearest)"},
    "fog_color": {"type": "color", "default": "#c8d2e0", "doc": "fog colour"}
  }
}*/
#include "palette.glsl"
vec4 effect(vec2 uv) {
    vec3 c = INPUT(uv).rgb;
    float d = texture(depthMap, uv).r;
    // Palette coordinate: depth, slid by shift and by whole cycles over the loop.
    float u = min(d, 0.99999) + shift + float(speed) * PHASE;
    float n = float(bands > 0 ? bands : 8);
    float t = (u >= 0.0 && u <= 1.0) ? u : fract(u);
    if (bands > 0) t = (mod(floor(u * n), n) + 0.5) / n;
    if (lines > 0.0) {
        float b = u * n;
        float across = abs(fract(b + 0.5) - 0.5) / max(fwidth(b), 1e-6);  // px to the nearest band edge
        float line = 1.0 - smoothstep(0.5 * lines - 0.5, 0.5 * lines + 0.5, across);
        float edge = mod(floor(b + 0.5), n) / n;  // the depth of that edge, as a palette coordinate
        c = mix(c, palette_color(palette, edge), amount * line);
    } else {
        c = mix(c, palette_color(palette, t), amount);
    }
    c = mix(c, fog_color, fog * (1.0 - d));
    return vec4(c, 1.0);
}
