// Gradient-map lookup into the shared palette texture (one row per palette,
// rows in the order of shaderviz/effects/palettes.py).
#ifndef SV_PALETTE
#define SV_PALETTE
vec3 palette_color(int row, float t) {
    float x = (clamp(t, 0.0, 1.0) * 255.0 + 0.5) / 256.0;
    float y = (float(row) + 0.5) / float(PALETTECOUNT);
    return texture(paletteTex, vec2(x, y)).rgb;
}
#endif
