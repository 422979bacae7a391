/*{
  "description": "Pixelate: see the bigger picture in blocks (anchored at the top-left).",
  "key": "P",
  "params": {
    "size": {"type": "int", "default": 12, "min": 1, "max": 512, "unit": "px", "doc": "block size in pixels"}
  }
}*/

vec4 effect(vec2 uv) {
    float s = float(size);
    // Pixel coordinates from the top-left corner, like an image editor.
    vec2 px = vec2(uv.x, 1.0 - uv.y) * RENDERSIZE;
    vec2 centre = (floor(px / s) + 0.5) * s;
    centre = min(centre, RENDERSIZE - 0.5);  // a partial last block samples inside the image
    return texture(inputImage, vec2(centre.x, RENDERSIZE.y - centre.y) / RENDERSIZE);
}
