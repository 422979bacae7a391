#version 330
// Flow sort: odd-even transposition sort, FLOW_STEPS (1 or 2) steps per draw. At step s a
// pixel's partner is fixed by the parity of (position + s), so both pixels of a pair make
// the same decision and no pixel is duplicated or lost. Pairs swap only if both are in
// the band and no interval starts between them, so out-of-band pixels never move and
// intervals stay fixed. The key travels with the pixel (its depth rides in alpha); the
// depth gate is read at the position.
//
// FLOW_STEPS 2 does steps s and s + 1 in one draw (one dependent draw instead of two):
// the pixel at i ends up with the step-(s + 1) exchange of positions i and j2, whose
// values are the step-s results there, so it reads the four positions i, its step-s
// partner, j2 and j2's step-s partner. Same exchange rule per step, bit for bit.
//
// FLOW_INDEX 1 (``carry``): the state holds where each pixel came from (x, y in the input)
// instead of its colour; keys are read from the current input through it, so a new input
// (the next video frame) is sorted into the running order instead of starting over.
#include "sortkey.glsl"
#ifndef FLOW_STEPS
#define FLOW_STEPS 1
#endif
#ifndef FLOW_INDEX
#define FLOW_INDEX 0
#endif
#if FLOW_INDEX
uniform usampler2D state;
uniform sampler2D inputImage;
#define Payload uvec4
#else
uniform sampler2D state;
#define Payload vec4
#endif
uniform sampler2D depthMap;
uniform int step;  // the (first) step of this draw
out Payload result;

// A pixel (its colour, or where it came from) with its sort order and whether its key
// lies in [bandLo, bandHi].
struct Item {
    Payload c;
    uint order;
    bool keyed;
};

Item item(Payload c) {
#if FLOW_INDEX
    ivec2 from = ivec2(c.xy);
    uint key = sort_key(rgb8(texelFetch(inputImage, from, 0)), depth8(DEPTH_AT(from)));
#else
    uint key = sort_key(rgb8(c), uint(round(c.a * 255.0)));
#endif
    return Item(c, order_key(key), key >= bandLo && key <= bandHi);
}

// Position `k` of `line` holds an image pixel (not past a line end, not a hole).
bool valid(int line, int k) {
    return k >= 0 && k < line_length() && on_image(line, k);
}

// The gate at the image pixel `q` (the depth where the pixel is, not the one it carries).
bool gate_at(ivec2 q) {
    return gate_open(DEPTH_AT(q));
}

// What neighbouring positions i and j of `line` (both valid) hold after one step of
// compare-exchange, seen from i: `a` at i, `b` at j; `gi`, `gj` their gates.
Item exchange(int line, int i, int j, Item a, Item b, bool gi, bool gj) {
    if (!(a.keyed && gi && b.keyed && gj) || is_break(line, max(i, j))) return a;
    return ((i < j && a.order > b.order) || (i > j && b.order > a.order)) ? b : a;
}

void main() {
    ivec2 p = ivec2(gl_FragCoord.xy);
    ivec2 lp = line_pos(p);
    int line = lp.x, i = lp.y;
    int d = ((i + step) & 1) == 0 ? -1 : 1;  // i's step-s partner is i - d, its step-(s + 1) one i + d
    Payload me = texelFetch(state, p, 0);
    result = me;
    int j = i - d;
#if FLOW_STEPS == 1
    if (!valid(line, j)) return;  // line ends and holes never move
    ivec2 q = pixel_of(line, j);
    result = exchange(line, i, j, item(me), item(texelFetch(state, q, 0)), gate_at(p), gate_at(q)).c;
#else
    bool gi = gate_at(p);
    Item at_i = item(me);  // after step s
    if (valid(line, j)) {
        ivec2 q = pixel_of(line, j);
        at_i = exchange(line, i, j, at_i, item(texelFetch(state, q, 0)), gi, gate_at(q));
    }
    result = at_i.c;
    int j2 = i + d, j3 = i + 2 * d;  // step s + 1 partner, and its step-s partner
    if (!valid(line, j2)) return;
    ivec2 q2 = pixel_of(line, j2);
    bool g2 = gate_at(q2);
    Item at_j2 = item(texelFetch(state, q2, 0));
    if (valid(line, j3)) {
        ivec2 q3 = pixel_of(line, j3);
        at_j2 = exchange(line, j2, j3, at_j2, item(texelFetch(state, q3, 0)), g2, gate_at(q3));
    }
    result = exchange(line, i, j2, at_i, at_j2, gi, g2).c;
#endif
}
