#version 330
// Flow sort state for ``carry``: every pixel where it is (its own x, y in the input).
out uvec4 result;

void main() {
    result = uvec4(uvec2(gl_FragCoord.xy), 0u, 0u);
}
