#version 430
// Instant sort on GL >= 4.3: one invocation sorts one whole line. It packs
// (interval start << 16 | order key, position) while walking the line's pixels on the
// image (contiguous: holes of angled lines lie before and after them), then runs a
// bottom-up merge sort through a storage-buffer scratch (stable by construction), and
// writes the sorted colours.
#include "sortkey.glsl"
layout(local_size_x = 32) in;
layout(std430, binding = 0) buffer Scratch { uvec2 data[]; };
layout(rgba8, binding = 0) writeonly uniform image2D outputImage;
uniform sampler2D inputImage;
uniform sampler2D depthMap;
uniform int lineCount;

bool before(uvec2 a, uvec2 b) {
    return a.x < b.x || (a.x == b.x && a.y <= b.y);
}

void main() {
    int line = int(gl_GlobalInvocationID.x);
    if (line >= lineCount) return;
    int span = line_length();
    int src = line * span * 2;
    int dst = src + span;
    int first = 0, n = 0;  // the line's pixels: positions first .. first + n - 1
    uint start = 0u;
    bool previous = false;
    for (int i = 0; i < span; i++) {
        if (!on_image(line, i)) continue;
        if (n == 0) first = i;
        ivec2 p = pixel_of(line, i);
        float d = DEPTH_AT(p);
        uint key = sort_key(rgb8(texelFetch(inputImage, p, 0)), depth8(d));
        bool band = in_band(key, d);
        if (n == 0 || !band || !previous || is_break(line, i)) start = uint(i);
        data[src + n] = uvec2((start << 16u) | order_key(key), uint(i));
        previous = band;
        n++;
    }
    for (int width = 1; width < n; width *= 2) {
        for (int lo = 0; lo < n; lo += 2 * width) {
            int mid = min(lo + width, n), hi = min(lo + 2 * width, n);
            int a = lo, b = mid;
            for (int k = lo; k < hi; k++) {
                if (a < mid && (b >= hi || before(data[src + a], data[src + b]))) {
                    data[dst + k] = data[src + a++];
                } else {
                    data[dst + k] = data[src + b++];
                }
            }
        }
        int swap = src;
        src = dst;
        dst = swap;
    }
    for (int k = 0; k < n; k++) {
        ivec2 from = pixel_of(line, int(data[src + k].y));
        imageStore(outputImage, pixel_of(line, first + k), texelFetch(inputImage, from, 0));
    }
}
