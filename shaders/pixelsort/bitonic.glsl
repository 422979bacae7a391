#version 330
// Instant sort, step 3: one compare-exchange stage of a bitonic sorting network in its
// "flip" form, which needs no power-of-two padding: partners past the line's end count
// as +infinity and are skipped. Elements are (packed key, position): all distinct, so
// the result equals a stable sort.
uniform usampler2D elements;
uniform int flipBlock;   // > 0: flip stage within blocks of this size
uniform int stride;      // otherwise: half-cleaner at this distance
uniform int lineLength;
out uvec2 result;

void main() {
    ivec2 t = ivec2(gl_FragCoord.xy);
    int i = t.x;
    int partner = flipBlock > 0 ? (i ^ (flipBlock - 1)) : (i ^ stride);
    uvec2 me = texelFetch(elements, t, 0).xy;
    if (partner >= lineLength) {
        result = me;
        return;
    }
    uvec2 other = texelFetch(elements, ivec2(partner, t.y), 0).xy;
    bool less = me.x < other.x || (me.x == other.x && me.y < other.y);
    result = ((i < partner) == less) ? me : other;  // the lower index keeps the smaller
}
