#version 330
// Fast guided filter, step 3: the window-averaged coefficients, upsampled bilinearly,
// applied to the full-size guide image.
in vec2 uv;
out vec4 fragColor;
uniform sampler2D guide;
uniform sampler2D coeffs;  // A (rgb), b: box-averaged

void main() {
    vec4 ab = texture(coeffs, uv);
    vec3 c = texelFetch(guide, ivec2(gl_FragCoord.xy), 0).rgb;
    fragColor = vec4(clamp(dot(ab.rgb, c) + ab.a, 0.0, 1.0), 0.0, 0.0, 1.0);
}
