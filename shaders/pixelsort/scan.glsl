#version 330
// Instant sort, step 2: Hillis-Steele max-scan of interval starts along each line,
// so every pixel learns where its interval begins. The last pass packs the element
// (interval start << 16 | order key, original position) for the sort.
uniform usampler2D elements;
uniform int offset;
uniform bool finalize;
out uvec2 result;

void main() {
    ivec2 t = ivec2(gl_FragCoord.xy);
    uvec2 me = texelFetch(elements, t, 0).xy;
    uint start = me.x;
    if (t.x - offset >= 0) start = max(start, texelFetch(elements, ivec2(t.x - offset, t.y), 0).x);
    result = finalize ? uvec2((start << 16u) | me.y, uint(t.x)) : uvec2(start, me.y);
}
