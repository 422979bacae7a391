#version 330
// Push-pull fill of the background behind occluders, "pull" step: halve the size. Each
// texel averages its 2x2 children that are background (not occluders), preferring the
// farthest of them, and keeps how much of it was known: min(1, sum of child weights)
// (Gortler et al. 1996). The first level reads the image and both depth layers.
#include "layers.glsl"
in vec2 uv;
layout(location = 0) out vec4 outColour;  // rgb, a: weight
layout(location = 1) out vec4 outDepth;   // r: nearness of the averaged background
uniform sampler2D colourTex;  // first: the effect's input; else the finer level (a: weight)
uniform sampler2D depthTex;   // first: front depth; else the finer level's depth
uniform sampler2D backDepth;  // first only: the back layer
uniform bool first;

const float FARTHER = 24.0;  // preference for the farther of the children

void main() {
    ivec2 size = textureSize(colourTex, 0);
    ivec2 base = ivec2(gl_FragCoord.xy) * 2;
    vec3 colour[4];
    float weight[4];
    float near[4];
    float farthest = 1e9;
    for (int k = 0; k < 4; k++) {
        ivec2 p = min(base + ivec2(k & 1, k >> 1), size - 1);
        vec4 c = texelFetch(colourTex, p, 0);
        near[k] = texelFetch(depthTex, p, 0).r;
        colour[k] = c.rgb;
        if (first) {
            float back = texture(backDepth, (vec2(p) + 0.5) / vec2(size)).r;
            weight[k] = 1.0 - occluder(near[k], back);
        } else {
            weight[k] = c.a;
        }
        if (weight[k] > 0.0) farthest = min(farthest, near[k]);
    }
    vec3 sum = vec3(0.0);
    float depth = 0.0;
    float total = 0.0;
    float known = 0.0;
    for (int k = 0; k < 4; k++) {
        float w = weight[k] * exp(-FARTHER * max(near[k] - farthest, 0.0));
        sum += w * colour[k];
        depth += w * near[k];
        total += w;
        known += weight[k];
    }
    if (total > 0.0) {
        outColour = vec4(sum / total, min(known, 1.0));
        outDepth = vec4(depth / total, 0.0, 0.0, 1.0);
    } else {
        outColour = vec4(0.0);
        outDepth = vec4(0.0);
    }
}
