/*{
  "description": "Sampler: zoom into a rectangle of the image, or repeat it as tiles (mirrored tiles meet without seams)",
  "stack": 8,
  "native_input": true,
  "variants": ["filter"],
  "params": {
    "x": {"type": "float", "default": 0.5, "min": 0, "max": 1, "doc": "centre of the rectangle, fraction of the width from the left"},
    "y": {"type": "float", "default": 0.5, "min": 0, "max": 1, "doc": "centre of the rectangle, fraction of the height from the top"},
    "size": {"type": "float", "default": 0.5, "min": 0.0001, "max": 1, "doc": "width of the rectangle, fraction of the width"},
    "aspect": {"type": "float", "default": 1, "min": 0.05, "max": 20, "doc": "width:height of the rectangle relative to the frame's (1: the frame's shape, a zoom does not stretch)"},
    "rotation": {"type": "float", "default": 0, "min": -360, "max": 360, "doc": "turn of the rectangle about its centre, degrees counter-clockwise"},
    "mode": {"type": "choice", "default": "zoom", "values": ["zoom", "tile", "mirror"], "doc": "zoom: the rectangle fills the frame; tile: it repeats; mirror: it repeats flipped, so neighbours meet"},
    "tiles": {"type": "float", "default": 0, "min": 0, "max": 64, "doc": "tile and mirror: tiles across the width (0: each tile at the rectangle's own size, the one at the rectangle in place)"},
    "filter": {"type": "choice", "default": "nearest", "values": ["nearest", "linear", "cubic"], "doc": "nearest keeps the pixel blocks; linear; cubic (Catmull-Rom)"}
  }
}*/
// Consecutive samplers in the chain run as this one pass ("stack"): member i's parameters
// are at index i, and a pixel is traced from the last member back to the first, so a zoom
// into a zoom reads the image once, never a resampled copy, with the last member's filter
// (compiled in: "variants", so no branch on it runs; software GL runs every branch). Where the run comes first in
// the chain it reads nativeImage: the source at its own resolution (a small generated
// image shows its real pixels); elsewhere nativeImage is the previous effect's output.

// Output uv of member i -> uv in what member i reads (GL uv: origin bottom-left).
vec2 sampler_level(int i, vec2 p) {
    vec2 frame = RENDERSIZE;
    vec2 centre = vec2(x[i], 1.0 - y[i]) * frame;
    vec2 half_extent = 0.5 * vec2(size[i], size[i] / aspect[i]) * frame;  // pixels, before the turn
    vec2 local = p * 2.0 - 1.0;  // zoom: the frame is the rectangle
    if (mode[i] != MODE_ZOOM) {
        vec2 tile = 2.0 * half_extent;  // tiles=0: each tile at the rectangle's own size
        if (tiles[i] > 0.0) {
            tile = vec2(frame.x / tiles[i], frame.x / tiles[i] * half_extent.y / half_extent.x);
        }
        vec2 t = (p * frame - centre) / tile + 0.5;  // the tile at the rectangle is tile (0, 0)
        vec2 f = fract(t);
        if (mode[i] == MODE_MIRROR) {
            f = mix(f, 1.0 - f, mod(floor(t), 2.0));  // every other tile flipped
        }
        local = f * 2.0 - 1.0;
    }
    float a = radians(rotation[i]);
    vec2 d = local * half_extent;
    d = vec2(cos(a) * d.x - sin(a) * d.y, sin(a) * d.x + cos(a) * d.y);
    return clamp((centre + d) / frame, 0.0, 1.0);  // past the edge: the edge (clamp to edge)
}

// How many input pixels one output pixel of member i spans.
float sampler_scale(int i) {
    float scale = size[i];
    if (mode[i] != MODE_ZOOM && tiles[i] > 0.0) {
        scale = size[i] * tiles[i];  // the rectangle's width over one tile's width
    } else if (mode[i] != MODE_ZOOM) {
        scale = 1.0;
    }
    return scale;
}

vec3 sampler_texel(sampler2D image, ivec2 p) {
    return texelFetch(image, clamp(p, ivec2(0), textureSize(image, 0) - 1), 0).rgb;
}

vec4 catmull_rom(float t) {
    return vec4(t * (-0.5 + t * (1.0 - 0.5 * t)),
                1.0 + t * t * (-2.5 + 1.5 * t),
                t * (0.5 + t * (2.0 - 1.5 * t)),
                t * t * (-0.5 + 0.5 * t));
}

vec3 sampler_read(sampler2D image, vec2 q, int how) {
    vec2 pos = q * vec2(textureSize(image, 0));
    if (how == FILTER_NEAREST) {
        return sampler_texel(image, ivec2(floor(pos)));
    }
    if (how == FILTER_LINEAR) {
        return texture(image, q).rgb;
    }
    vec2 base = floor(pos - 0.5);
    vec4 wx = catmull_rom(pos.x - 0.5 - base.x);
    vec4 wy = catmull_rom(pos.y - 0.5 - base.y);
    ivec2 b = ivec2(base);
    vec3 sum = vec3(0.0);
    for (int j = 0; j < 4; ++j) {
        vec3 row = wx.x * sampler_texel(image, b + ivec2(-1, j - 1))
                 + wx.y * sampler_texel(image, b + ivec2(0, j - 1))
                 + wx.z * sampler_texel(image, b + ivec2(1, j - 1))
                 + wx.w * sampler_texel(image, b + ivec2(2, j - 1));
        sum += row * wy[j];
    }
    return clamp(sum, 0.0, 1.0);
}

vec4 effect(vec2 uv) {
    vec2 q = uv;
    float scale = NATIVESCALE;
    for (int i = STACKCOUNT - 1; i >= 0; --i) {
        q = sampler_level(i, q);
        scale *= sampler_scale(i);
    }
    int how = filter_;
#if NATIVE
    // Shrinking a bigger native image: its render-size copy (fitted by a proper resize) reads better.
    if (scale > 1.0) {
        return vec4(sampler_read(inputImage, q, how), 1.0);
    }
    vec2 n = q * NATIVEMAP.xy + NATIVEMAP.zw;
    if (any(lessThan(n, vec2(0.0))) || any(greaterThan(n, vec2(1.0)))) {
        return vec4(0.0, 0.0, 0.0, 1.0);  // the letterbox of fit=fit
    }
    return vec4(sampler_read(nativeImage, n, how), 1.0);
#else
    return vec4(sampler_read(inputImage, q, how), 1.0);
#endif
}
