#version 330
// Joint bilateral upsampling, step 1: box-average the guide image and the depth map
// into blocks of factor x factor pixels (about the depth model's own resolution).
in vec2 uv;
out vec4 fragColor;
uniform sampler2D guide;  // the source image
uniform sampler2D depth;  // the uploaded map (r)
uniform int factor;

void main() {
    ivec2 size = textureSize(depth, 0);
    ivec2 base = ivec2(gl_FragCoord.xy) * factor;
    vec4 sum = vec4(0.0);
    for (int j = 0; j < factor; j++) {
        for (int i = 0; i < factor; i++) {
            ivec2 p = min(base + ivec2(i, j), size - 1);
            sum += vec4(texelFetch(guide, p, 0).rgb, texelFetch(depth, p, 0).r);
        }
    }
    fragColor = sum / float(factor * factor);
}
