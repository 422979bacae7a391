/*{
  "description": "Key by depth: keep the near (or far) part, the rest becomes transparent (or the --background colour)",
  "pointwise": true,
  "reads_depth": true,
  "alpha": true,
  "params": {
    "keep": {"type": "choice", "default": "near", "values": ["near", "far"], "doc": "which side of the cut stays"},
    "cut": {"type": "float", "default": 0.5, "min": 0, "max": 1, "doc": "depth of the cut (1 = nearest)"},
    "soft": {"type": "float", "default": 0.05, "min": 0, "max": 0.5, "doc": "width of the soft edge, in depth"},
    "amount": {"type": "float", "default": 1, "min": 0, "max": 1, "doc": "how far the cut-away part fades"}
  }
}*/
// Alpha = how much of the pixel is kept. With --background transparent the chain keeps
// it (HAP Alpha, ProRes 4444, VP9 alpha, PNG, GIF); otherwise the framework lays the
// pixel over the background colour (black by default).

vec4 effect(vec2 uv) {
    vec4 c = INPUT(uv);
    float d = texture(depthMap, uv).r;
    float s = max(soft, 1e-5);
    float near = smoothstep(cut - 0.5 * s, cut + 0.5 * s, d);
    float kept = keep == KEEP_NEAR ? near : 1.0 - near;
    return vec4(c.rgb, c.a * mix(1.0, kept, amount));
}
