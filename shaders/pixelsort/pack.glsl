#version 330
// Instant sort, step 1: per pixel (in line space: x = position, y = line) write
// (position if an interval starts here else 0, order key). Holes of angled lines are
// out of band: each is an interval of its own and stays where it is.
#include "sortkey.glsl"
uniform sampler2D inputImage;
uniform sampler2D depthMap;
out uvec2 result;

bool band_at(int line, int i, out uint key) {
    if (!on_image(line, i)) {
        key = 0u;
        return false;
    }
    ivec2 p = pixel_of(line, i);
    float d = DEPTH_AT(p);
    key = sort_key(rgb8(texelFetch(inputImage, p, 0)), depth8(d));
    return in_band(key, d);
}

void main() {
    int i = int(gl_FragCoord.x);
    int line = int(gl_FragCoord.y);
    uint key, previous_key;
    bool band = band_at(line, i, key);
    bool starts = i == 0 || !band || !band_at(line, i - 1, previous_key) || is_break(line, i);
    result = uvec2(starts ? uint(i) : 0u, order_key(key));
}
