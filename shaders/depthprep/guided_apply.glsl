#version 330
// Fast guided filter, step 3: the window-averaged coefficients, upsampled bilinearly,
// applied to the guide image at the refinement's size (read as in guided_down).
in vec2 uv;
out vec4 fragColor;
uniform sampler2D guide;
uniform sampler2D coeffs;  // A (rgb), b: box-averaged
uniform int factor;        // refinement pixels per reduced texel
uniform ivec2 size;        // the refinement's size

void main() {
    // Reduced texel i covers pixels [i factor, (i + 1) factor): map by factor, not by size.
    vec4 ab = texture(coeffs, gl_FragCoord.xy / (vec2(textureSize(coeffs, 0)) * float(factor)));
#if REDUCED
    vec3 c = texture(guide, gl_FragCoord.xy / vec2(size)).rgb;
#else
    vec3 c = texelFetch(guide, ivec2(gl_FragCoord.xy), 0).rgb;  // the same, cheaper in software GL
#endif
    fragColor = vec4(clamp(dot(ab.rgb, c) + ab.a, 0.0, 1.0), 0.0, 0.0, 1.0);
}
