// Colour helpers shared by effects.
#ifndef SV_COLOR
#define SV_COLOR
float luma(vec3 c) {
    return dot(c, vec3(0.2126, 0.7152, 0.0722));  // Rec. 709
}
#endif
