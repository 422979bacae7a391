// Pixel-sort keys, bands and interval breaks, shared by every pixel-sort pass.
// Keys are 16-bit integers computed from 8-bit colour with integer arithmetic so the
// fragment path, the compute path and the numpy reference (tests/sort_reference.py)
// agree exactly. Key order = the `key` choice of shaders/pixelsort.glsl.
#ifndef SV_SORTKEY
#define SV_SORTKEY

// The kernel compiles one variant per setting (SORT_KEY, SORT_GATE, SORT_BREAKS,
// SORT_AXIS, SORT_DESCENDING, SORT_ANGLED, SORT_MAJOR defined before this file):
// branches that cannot run are compiled out, which matters on CPU renderers that
// execute every branch.
#ifndef SORT_KEY
uniform int sortKey;        // 0 luma, 1 lightness, 2 hue, 3 saturation, 4 intensity, 5 min, 6 depth
#define SORT_KEY sortKey
#endif
#ifndef SORT_GATE
#define SORT_GATE 1
#endif
#ifndef SORT_BREAKS
#define SORT_BREAKS 1
#endif
#ifndef SORT_AXIS
uniform int sortAxis;       // 0: rows, left to right; 1: columns, top to bottom
#define SORT_AXIS sortAxis
#endif
#ifndef SORT_ANGLED
#define SORT_ANGLED 0       // 1: any-angle lines (SORT_MAJOR, shiftTable) instead of SORT_AXIS
#endif
#ifndef SORT_DESCENDING
uniform bool sortDescending;
#define SORT_DESCENDING sortDescending
#endif
uniform uint bandLo;        // pixels with bandLo <= key <= bandHi are sorted
uniform uint bandHi;
uniform int breakEvery;     // random interval breaks, one per this many pixels on average (0: off)
uniform uint breakSeed;
uniform ivec2 imageSize;
// Depth at image pixel p. The map may be smaller than the image (play refines depth at half
// size on a moving source with software GL): read it by position, bilinearly (exact when it
// is the image's size).
#define DEPTH_AT(p) texture(depthMap, (vec2(p) + 0.5) / vec2(imageSize)).r
// Depth gating as a sort mask: pixels outside the band stay put.
uniform bool gateEnabled;
uniform float gateLo;
uniform float gateHi;
uniform float gateSoft;
uniform bool gateInvert;

uvec3 rgb8(vec4 c) {
    return uvec3(round(clamp(c.rgb, 0.0, 1.0) * 255.0));
}

uint depth8(float d) {
    return uint(round(clamp(d, 0.0, 1.0) * 255.0));
}

uint sort_key(uvec3 c, uint depth) {
    uint r = c.r, g = c.g, b = c.b;
    uint hi = max(r, max(g, b));
    uint lo = min(r, min(g, b));
    if (SORT_KEY == 0) return (2126u * r + 7152u * g + 722u * b) * 257u / 10000u;
    if (SORT_KEY == 1) return (hi + lo) * 257u / 2u;
    if (SORT_KEY == 2) {
        if (hi == lo) return 0u;
        uint d = hi - lo;
        const uint S = 10922u;  // one sixth of the hue circle
        if (r >= max(g, b)) return g >= b ? (g - b) * S / d : 6u * S - (b - g) * S / d;
        if (g >= b) return b >= r ? 2u * S + (b - r) * S / d : 2u * S - (r - b) * S / d;
        return r >= g ? 4u * S + (r - g) * S / d : 4u * S - (g - r) * S / d;
    }
    if (SORT_KEY == 3) return hi == 0u ? 0u : (hi - lo) * 65535u / hi;
    if (SORT_KEY == 4) return (r + g + b) * 257u / 3u;
    if (SORT_KEY == 5) return lo * 257u;
    return depth * 257u;
}

// The key as sorted: ascending order of this value.
uint order_key(uint key) {
    return bool(SORT_DESCENDING) ? 65535u - key : key;
}

uint pcg(uint v) {
    uint state = v * 747796405u + 2891336453u;
    uint word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
    return (word >> 22u) ^ word;
}

// A random interval starts at position `pos` of `line`.
bool is_break(int line, int pos) {
#if !SORT_BREAKS
    return false;
#endif
    if (breakEvery <= 0) return false;
    return pcg(pcg(uint(line) ^ (breakSeed * 2654435769u)) + uint(pos)) % uint(breakEvery) == 0u;
}

float _sort_ramp(float e0, float e1, float x) {
    float t = clamp((x - e0) / max(e1 - e0, 1e-5), 0.0, 1.0);
    return t * t * (3.0 - 2.0 * t);
}

bool gate_open(float depth) {
#if !SORT_GATE
    return true;
#endif
    if (!gateEnabled) return true;
    float s = max(gateSoft, 1e-5);
    float w = _sort_ramp(gateLo - s, gateLo, depth) * (1.0 - _sort_ramp(gateHi, gateHi + s, depth));
    if (gateInvert) w = 1.0 - w;
    return w > 0.5;
}

bool in_band(uint key, float depth) {
    return key >= bandLo && key <= bandHi && gate_open(depth);
}

#if SORT_ANGLED
// Any-angle lines: an integer shear (shaderviz/render/kernels/sortlines.py). Line `line`
// holds the pixels with minor coordinate v = line + lineOffset + shift(i) at position i
// along the major direction SORT_MAJOR (0 right, 1 up, 2 left, 3 down); v is the image
// row (0 at the top) for horizontal lines, the column for vertical ones. Positions whose
// v falls outside the image are holes.
uniform isampler2D shiftTable;  // shift(i), one texel per position
uniform int lineOffset;

int line_length() {
    return (SORT_MAJOR & 1) == 0 ? imageSize.x : imageSize.y;
}

int _sort_minor(int line, int i) {
    return line + lineOffset + texelFetch(shiftTable, ivec2(i, 0), 0).r;
}

// Position `i` of `line` is on the image (not a hole).
bool on_image(int line, int i) {
    int v = _sort_minor(line, i);
    return v >= 0 && v < ((SORT_MAJOR & 1) == 0 ? imageSize.y : imageSize.x);
}

// Texel of position `i` along `line` (an image pixel only where on_image).
ivec2 pixel_of(int line, int i) {
    int v = _sort_minor(line, i);
    if (SORT_MAJOR == 0) return ivec2(i, imageSize.y - 1 - v);
    if (SORT_MAJOR == 1) return ivec2(v, i);
    if (SORT_MAJOR == 2) return ivec2(imageSize.x - 1 - i, imageSize.y - 1 - v);
    return ivec2(v, imageSize.y - 1 - i);
}

// Inverse of pixel_of: (line, i) of a texel.
ivec2 line_pos(ivec2 p) {
    int u, v;
    if (SORT_MAJOR == 0) { u = p.x; v = imageSize.y - 1 - p.y; }
    else if (SORT_MAJOR == 1) { u = p.y; v = p.x; }
    else if (SORT_MAJOR == 2) { u = imageSize.x - 1 - p.x; v = imageSize.y - 1 - p.y; }
    else { u = imageSize.y - 1 - p.y; v = p.x; }
    return ivec2(v - lineOffset - texelFetch(shiftTable, ivec2(u, 0), 0).r, u);
}
#else
int line_length() {
    return SORT_AXIS == 0 ? imageSize.x : imageSize.y;
}

bool on_image(int line, int i) {
    return true;
}

// Texel of position `i` along `line` (lines run top to bottom / left to right).
ivec2 pixel_of(int line, int i) {
    return SORT_AXIS == 0 ? ivec2(i, imageSize.y - 1 - line) : ivec2(line, imageSize.y - 1 - i);
}

// Inverse of pixel_of: (line, i) of a texel.
ivec2 line_pos(ivec2 p) {
    return SORT_AXIS == 0 ? ivec2(imageSize.y - 1 - p.y, p.x) : ivec2(p.x, imageSize.y - 1 - p.y);
}
#endif
#endif
