#version 330
// Instant sort, step 4: every pixel fetches the colour its sorted element came from.
#include "sortkey.glsl"
uniform sampler2D inputImage;
uniform usampler2D elements;
out vec4 result;

void main() {
    ivec2 lp = line_pos(ivec2(gl_FragCoord.xy));
    uint from = texelFetch(elements, ivec2(lp.y, lp.x), 0).y;
    result = texelFetch(inputImage, pixel_of(lp.x, int(from)), 0);
}
