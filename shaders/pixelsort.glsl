/*{
  "description": "Pixel sort along rows, columns or any angle by a key, inside threshold intervals (instant, or flowing a few passes per frame).",
  "kernel": "pixelsort",
  "params": {
    "mode": {"type": "choice", "default": "instant", "values": ["instant", "flow"], "doc": "instant: fully sorted every frame; flow: animated odd-even passes on a persistent image"},
    "key": {"type": "choice", "default": "lightness", "values": ["luma", "lightness", "hue", "saturation", "intensity", "min", "depth"], "doc": "what pixels are sorted by (depth: the depth map)"},
    "axis": {"type": "choice", "default": "x", "values": ["x", "y"], "doc": "x: rows, left to right; y: columns, top to bottom"},
    "angle": {"type": "float", "default": 0.0, "min": -180, "max": 180, "doc": "turn the lines counter-clockwise by this many degrees from the axis (exact digital lines; 0: plain rows / columns)"},
    "descending": {"type": "bool", "default": false, "doc": "largest key first"},
    "lo": {"type": "float", "default": 0.0, "min": 0, "max": 1, "doc": "only pixels whose key is >= lo are sorted"},
    "hi": {"type": "float", "default": 1.0, "min": 0, "max": 1, "doc": "... and <= hi; other pixels stay and split lines into intervals"},
    "interval": {"type": "int", "default": 0, "min": 0, "max": 8192, "unit": "px", "doc": "random interval breaks, one per this many pixels on average (0: off)"},
    "speed": {"type": "int", "default": 4, "min": 0, "max": 512, "doc": "flow: sort passes per frame (0 holds still)"},
    "carry": {"type": "bool", "default": false, "doc": "flow: keep the sort order when the source image changes, sorting each new image (a video's next frame) into it"},
    "backend": {"type": "choice", "default": "auto", "values": ["auto", "fragment", "compute"], "doc": "instant: compute shader where GL >= 4.3 (auto), or fragment passes"}
  }
}*/
// The sorting itself runs in the pixelsort kernel (shaderviz/render/kernels/pixelsort.py,
// shaders/pixelsort/); this last pass shows its result through the common depth gating.
// `angle` turns the lines counter-clockwise from the axis direction (axis=x angle=30:
// toward the upper right); they are digital lines of an integer shear
// (shaderviz/render/kernels/sortlines.py), so the sort stays an exact permutation.
uniform sampler2D sortedImage;

vec4 effect(vec2 uv) {
    return texture(sortedImage, uv);
}
