#version 330
// Flow sort with ``carry``: the current input's pixels in the order the state holds.
uniform usampler2D state;
uniform sampler2D inputImage;
out vec4 result;

void main() {
    ivec2 from = ivec2(texelFetch(state, ivec2(gl_FragCoord.xy), 0).xy);
    result = vec4(texelFetch(inputImage, from, 0).rgb, 1.0);
}
