// The parallax's two depth layers (shaderviz/render/depthprep.py): a pixel is an
// *occluder* when its front depth stands clearly nearer than the back depth under it,
// i.e. it is the near side of a depth edge and hides background that a moving camera
// may reveal. Used by the fill passes (shaders/parallax/pull.glsl).
#ifndef SV_LAYERS
#define SV_LAYERS
float occluder(float front, float back) {
    return smoothstep(0.04, 0.08, front - back);
}
#endif
