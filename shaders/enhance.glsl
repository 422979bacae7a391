/*{
  "description": "Enhance: dream the patterns an ImageNet network sees into the picture (DeepDream on EfficientNet-Lite0; once per source image, cached)",
  "images": ["dreamImage"],
  "params": {
    "strength": {"type": "float", "default": 1, "min": 0, "max": 10, "doc": "how far each step moves the pixels (1: 1.5 % of the range a step)"},
    "layer": {"type": "int", "default": 8, "min": 0, "max": 15, "doc": "the network's block whose patterns grow: 0-4 strokes and textures, 5-10 eyes and fur, 11-15 object parts"},
    "octaves": {"type": "int", "default": 3, "min": 1, "max": 8, "doc": "scales dreamed, smallest first: more gives larger patterns"},
    "octave_scale": {"type": "float", "default": 1.4, "min": 1.1, "max": 2, "doc": "size ratio between octaves"},
    "steps": {"type": "int", "default": 10, "min": 1, "max": 200, "doc": "gradient steps per octave"},
    "jitter": {"type": "int", "default": 16, "min": 0, "max": 64, "doc": "random shift per step in pixels (patterns do not lock to the network's grid)"},
    "seed": {"type": "int", "default": 0, "min": 0, "max": 2147483647, "doc": "the jitter's random sequence: the same seed, the same dream"},
    "resolution": {"type": "int", "default": 0, "min": 0, "max": 8192, "doc": "dream at most this many pixels on the long side, the rest scaled up (0: the render size)"},
    "amount": {"type": "float", "default": 1, "min": 0, "max": 1, "doc": "how much of the dream is shown (the one parameter that may be modulated)"},
    "blend": {"type": "choice", "default": "mix", "values": ["mix", "patterns"], "doc": "mix: the dream over the input; patterns: only what the dream changed, added to the input"}
  }
}*/
// The dream is made in Python (shaderviz/explore): once per source image, from the source,
// with every parameter above but amount and blend; it arrives here as dreamImage. Until it
// is there (play dreams on a worker) dreamImageWeight is 0 and the input shows unchanged.

vec4 effect(vec2 uv) {
    vec3 input_ = texture(inputImage, uv).rgb;
    vec3 dream = texture(dreamImage, uv).rgb;
    float a = amount * dreamImageWeight;
    if (blend == BLEND_PATTERNS) {
        return vec4(clamp(input_ + (dream - texture(sourceImage, uv).rgb) * a, 0.0, 1.0), 1.0);
    }
    return vec4(mix(input_, dream, a), 1.0);
}
