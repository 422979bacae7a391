#version 330
// Flow sort: one pass of odd-even transposition sort. A pixel's partner is fixed by the
// parity of (position + step), so both pixels of a pair make the same decision and no
// pixel is duplicated or lost. Pairs swap only if both are in the band and no interval
// starts between them, so out-of-band pixels never move and intervals stay fixed.
#include "sortkey.glsl"
uniform sampler2D state;
uniform sampler2D depthMap;
uniform int step;
out vec4 result;

void main() {
    ivec2 p = ivec2(gl_FragCoord.xy);
    ivec2 lp = line_pos(p);
    int i = lp.y;
    int j = ((i + step) & 1) == 0 ? i + 1 : i - 1;
    vec4 me = texelFetch(state, p, 0);
    result = me;
    if (j < 0 || j >= line_length() || !on_image(lp.x, j)) return;  // holes never move
    ivec2 q = pixel_of(lp.x, j);
    vec4 other = texelFetch(state, q, 0);
    uint key_me = sort_key(rgb8(me), uint(round(me.a * 255.0)));
    uint key_other = sort_key(rgb8(other), uint(round(other.a * 255.0)));
    if (!in_band(key_me, texelFetch(depthMap, p, 0).r) || !in_band(key_other, texelFetch(depthMap, q, 0).r)
        || is_break(lp.x, max(i, j))) return;
    uint a = order_key(key_me), b = order_key(key_other);
    if ((i < j && a > b) || (i > j && b > a)) result = other;
}
