#version 330
// Fast guided filter, step 2: in each window the depth is fitted as a linear function of
// the colour, p ~ A . I + b, by ridge regression: A = (cov(I) + eps E)^-1 cov(I, p),
// b = mean(p) - A . mean(I). Depth thus takes its edges from the image's.
in vec2 uv;
out vec4 fragColor;  // A (rgb), b
uniform sampler2D meanTex;
uniform sampler2D sqTex;
uniform sampler2D mixedTex;
uniform sampler2D lastTex;
uniform float eps;

void main() {
    ivec2 p = ivec2(gl_FragCoord.xy);
    vec4 m = texelFetch(meanTex, p, 0);
    vec4 sq = texelFetch(sqTex, p, 0);
    vec4 mx = texelFetch(mixedTex, p, 0);
    float bp = texelFetch(lastTex, p, 0).r;
    vec3 mean = m.rgb;
    float rr = sq.x - mean.r * mean.r + eps;
    float rg = sq.y - mean.r * mean.g;
    float rb = sq.z - mean.r * mean.b;
    float gg = sq.w - mean.g * mean.g + eps;
    float gb = mx.x - mean.g * mean.b;
    float bb = mx.y - mean.b * mean.b + eps;
    vec3 cov = vec3(mx.z, mx.w, bp) - mean * m.a;
    mat3 sigma = mat3(rr, rg, rb, rg, gg, gb, rb, gb, bb);
    vec3 a = inverse(sigma) * cov;
    fragColor = vec4(a, m.a - dot(a, mean));
}
