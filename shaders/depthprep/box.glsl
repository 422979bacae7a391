#version 330
// One axis of a box filter of radius RADIUS texels over LAYERS textures at once (edge
// texels repeat past the border).
in vec2 uv;
layout(location = 0) out vec4 out0;
#if LAYERS == 4
layout(location = 1) out vec4 out1;
layout(location = 2) out vec4 out2;
layout(location = 3) out vec4 out3;
uniform sampler2D tex1;
uniform sampler2D tex2;
uniform sampler2D tex3;
#endif
uniform sampler2D tex0;
uniform ivec2 axis;

void main() {
    ivec2 p = ivec2(gl_FragCoord.xy);
    ivec2 last = textureSize(tex0, 0) - 1;
    vec4 s0 = vec4(0.0);
#if LAYERS == 4
    vec4 s1 = vec4(0.0), s2 = vec4(0.0), s3 = vec4(0.0);
#endif
    for (int k = -RADIUS; k <= RADIUS; k++) {
        ivec2 q = clamp(p + axis * k, ivec2(0), last);
        s0 += texelFetch(tex0, q, 0);
#if LAYERS == 4
        s1 += texelFetch(tex1, q, 0);
        s2 += texelFetch(tex2, q, 0);
        s3 += texelFetch(tex3, q, 0);
#endif
    }
    float n = float(2 * RADIUS + 1);
    out0 = s0 / n;
#if LAYERS == 4
    out1 = s1 / n;
    out2 = s2 / n;
    out3 = s3 / n;
#endif
}
