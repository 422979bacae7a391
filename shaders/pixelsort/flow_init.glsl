#version 330
// Flow sort state from the input; alpha carries each pixel's own depth so a pixel keeps
// its depth key while it travels.
#include "sortkey.glsl"
uniform sampler2D inputImage;
uniform sampler2D depthMap;
out vec4 result;

void main() {
    ivec2 p = ivec2(gl_FragCoord.xy);
    result = vec4(texelFetch(inputImage, p, 0).rgb, float(depth8(DEPTH_AT(p))) / 255.0);
}
