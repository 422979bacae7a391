#version 330
// Fast guided filter, step 3: the window-averaged coefficients, upsampled bilinearly,
// applied to the full-size guide image.
in vec2 uv;
out vec4 fragColor;
uniform sampler2D guide;
uniform sampler2D coeffs;  // A (rgb), b: box-averaged
uniform int factor;        // full-size pixels per reduced texel

void main() {
    // Reduced texel i covers pixels [i factor, (i + 1) factor): map by factor, not by size.
    vec4 ab = texture(coeffs, gl_FragCoord.xy / (vec2(textureSize(coeffs, 0)) * float(factor)));
    vec3 c = texelFetch(guide, ivec2(gl_FragCoord.xy), 0).rgb;
    fragColor = vec4(clamp(dot(ab.rgb, c) + ab.a, 0.0, 1.0), 0.0, 0.0, 1.0);
}
