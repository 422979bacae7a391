"""GLSL of the scene renderer: the lit, textured, hazy surface pass (``VERT`` / ``FRAG``, with
value noise in ``NOISE``), the gradient-and-clouds sky (``SKY_*``) and the sun's shadow map
(``SHADOW_*``)."""

VERT = """
#version 330
uniform mat4 u_vp; uniform mat4 u_view; uniform mat4 u_light;
in vec3 in_pos; in vec3 in_nrm; in vec3 in_col; in vec3 in_mat;
out vec3 v_pos; out vec3 v_nrm; out vec3 v_col; flat out vec3 v_mat; out vec4 v_light; out float v_z;
void main() {
    v_pos = in_pos; v_nrm = in_nrm; v_col = in_col; v_mat = in_mat;
    v_light = u_light * vec4(in_pos, 1.0);
    v_z = -(u_view * vec4(in_pos, 1.0)).z;
    gl_Position = u_vp * vec4(in_pos, 1.0);
}
"""

NOISE = """
float hash(vec3 p) {
    p = fract(p * 0.3183099 + 0.1); p *= 17.0;
    return fract(p.x * p.y * p.z * (p.x + p.y + p.z));
}
float noise(vec3 x) {
    vec3 i = floor(x); vec3 f = fract(x); f = f * f * (3.0 - 2.0 * f);
    return mix(mix(mix(hash(i), hash(i + vec3(1, 0, 0)), f.x),
                   mix(hash(i + vec3(0, 1, 0)), hash(i + vec3(1, 1, 0)), f.x), f.y),
               mix(mix(hash(i + vec3(0, 0, 1)), hash(i + vec3(1, 0, 1)), f.x),
                   mix(hash(i + vec3(0, 1, 1)), hash(i + vec3(1, 1, 1)), f.x), f.y), f.z);
}
float fbm(vec3 p) {
    float a = 0.5, s = 0.0;
    for (int i = 0; i < 5; i++) { s += a * noise(p); p = p * 2.03 + vec3(1.7, 9.2, 3.1); a *= 0.5; }
    return s;
}
"""

FRAG = (
    """
#version 330
uniform sampler2DShadow u_shadow;
uniform vec3 u_sun_dir; uniform vec3 u_sun_col; uniform vec3 u_sky_amb; uniform vec3 u_ground_amb;
uniform vec3 u_haze_col; uniform float u_haze; uniform vec3 u_cam;
in vec3 v_pos; in vec3 v_nrm; in vec3 v_col; flat in vec3 v_mat; in vec4 v_light; in float v_z;
layout(location = 0) out vec4 f_col;
layout(location = 1) out float f_depth;
"""
    + NOISE
    + """
vec2 plane_uv(vec3 p, vec3 n) {
    vec3 a = abs(n);
    if (a.y > a.x && a.y > a.z) return p.xz;
    if (a.x > a.z) return vec2(p.z, p.y);
    return p.xy;
}
void main() {
    vec3 n = normalize(v_nrm);
    if (!gl_FrontFacing) n = -n;
    int kind = int(v_mat.x + 0.5);
    float sc = v_mat.y;
    vec3 p = v_pos * sc + v_mat.z * vec3(13.1, 7.7, 3.3);
    vec3 alb = pow(v_col, vec3(2.2));
    float gloss = 0.0;
    if (kind == 0) {
        alb *= 0.9 + 0.2 * fbm(p);
    } else if (kind == 1) {
        alb *= mix(0.5, 1.3, fbm(p)) * mix(vec3(0.85, 0.95, 0.8), vec3(1.1, 1.0, 0.9), noise(p * 0.21));
    } else if (kind == 2) {
        vec2 uv = plane_uv(p, n);
        float s = sin((uv.x + 1.5 * fbm(vec3(uv * vec2(0.3, 3.0), 1.0))) * 6.2832);
        alb *= 0.78 + 0.18 * s + 0.1 * noise(vec3(floor(uv.y * 2.0), 0.0, 3.0));
        gloss = 0.15;
    } else if (kind == 3) {
        vec2 uv = plane_uv(p, n);
        float c = mod(floor(uv.x) + floor(uv.y), 2.0);
        vec2 g = abs(fract(uv) - 0.5);
        alb *= mix(0.55, 1.1, c) * (0.95 + 0.1 * noise(p * 4.0)) * (max(g.x, g.y) > 0.47 ? 0.6 : 1.0);
        gloss = 0.3;
    } else if (kind == 4) {
        vec2 uv = plane_uv(p, n) * vec2(1.0, 2.0);
        float row = floor(uv.y);
        vec2 f = fract(vec2(uv.x + 0.5 * mod(row, 2.0), uv.y));
        bool mortar = f.x < 0.05 || f.y < 0.1;
        float brick = hash(vec3(floor(uv.x + 0.5 * mod(row, 2.0)), row, 1.0));
        alb *= mortar ? vec3(1.4) : vec3(0.8 + 0.35 * brick);
    } else if (kind == 5) {
        alb *= 0.55 + 0.7 * noise(p * 6.0) * (0.6 + 0.8 * fbm(p));
    } else if (kind == 6) {
        vec2 uv = plane_uv(p, n);
        vec2 f = fract(uv);
        if (abs(n.y) < 0.7 && f.x > 0.22 && f.x < 0.78 && f.y > 0.25 && f.y < 0.8) {
            float lit = step(0.85, hash(vec3(floor(uv), 5.0)));
            alb = mix(vec3(0.02, 0.03, 0.05) + 0.08 * hash(vec3(floor(uv), 2.0)), vec3(1.0, 0.8, 0.4), lit);
            gloss = 0.6;
        } else {
            alb *= 0.85 + 0.3 * fbm(p * 2.0);
        }
    } else if (kind == 7) {
        vec3 c = v_col * (0.9 + 0.2 * fbm(p));
        float d = length(v_pos - u_cam);
        c = mix(c, u_haze_col, 1.0 - exp(-d * u_haze));
        f_col = vec4(c, 1.0);
        f_depth = v_z;
        return;
    }
    vec3 l = normalize(u_sun_dir);
    float diff = max(dot(n, l), 0.0);
    vec3 lp = v_light.xyz / v_light.w * 0.5 + 0.5;
    float sh = 0.0;
    float bias = 0.0015 + 0.003 * (1.0 - diff);
    vec2 texel = 1.0 / vec2(textureSize(u_shadow, 0));
    for (int i = 0; i < 4; i++) {
        vec2 o = vec2(float(i & 1) - 0.5, float(i >> 1) - 0.5) * texel * 1.5;
        sh += texture(u_shadow, vec3(lp.xy + o, lp.z - bias));
    }
    sh *= 0.25;
    if (lp.x < 0.0 || lp.x > 1.0 || lp.y < 0.0 || lp.y > 1.0 || lp.z > 1.0) sh = 1.0;
    vec3 hemi = mix(u_ground_amb, u_sky_amb, 0.5 + 0.5 * n.y);
    vec3 vdir = normalize(u_cam - v_pos);
    float spec = pow(max(dot(reflect(-l, n), vdir), 0.0), 32.0) * gloss;
    vec3 c = alb * (hemi + u_sun_col * diff * sh) + u_sun_col * spec * sh;
    c = pow(c, vec3(1.0 / 2.2));
    float d = length(v_pos - u_cam);
    c = mix(c, u_haze_col, 1.0 - exp(-d * u_haze));
    f_col = vec4(c, 1.0);
    f_depth = v_z;
}
"""
)

SKY_VERT = """
#version 330
in vec2 in_xy; out vec2 v_ndc;
void main() { v_ndc = in_xy; gl_Position = vec4(in_xy, 0.0, 1.0); }
"""

SKY_FRAG = (
    """
#version 330
uniform mat4 u_inv_vp; uniform vec3 u_cam; uniform vec3 u_sun_dir; uniform vec3 u_sun_col;
uniform vec3 u_zenith; uniform vec3 u_horizon; uniform vec3 u_haze_col; uniform vec3 u_cloud_col;
uniform float u_cover; uniform float u_cloud_scale; uniform float u_seed;
in vec2 v_ndc;
layout(location = 0) out vec4 f_col;
layout(location = 1) out float f_depth;
"""
    + NOISE
    + """
void main() {
    vec4 q = u_inv_vp * vec4(v_ndc, 1.0, 1.0);
    vec3 dir = normalize(q.xyz / q.w - u_cam);
    float t = dir.y;
    vec3 c = mix(u_horizon, u_zenith, pow(clamp(t, 0.0, 1.0), 0.45));
    if (t > 0.0) {
        vec2 uv = dir.xz / (t + 0.06) * u_cloud_scale;
        float cl = smoothstep(u_cover, u_cover + 0.25, fbm(vec3(uv, u_seed)));
        vec3 cloud = u_cloud_col * (0.8 + 0.3 * fbm(vec3(uv * 2.0, u_seed + 3.0)));
        c = mix(c, cloud, cl * smoothstep(0.0, 0.12, t));
    }
    float s = max(dot(dir, normalize(u_sun_dir)), 0.0);
    c += u_sun_col * (0.25 * pow(s, 12.0) + 2.0 * pow(s, 900.0));
    c = mix(u_haze_col, c, smoothstep(-0.02, 0.08, t));
    f_col = vec4(c, 1.0);
    f_depth = 0.0;
}
"""
)

SHADOW_VERT = """
#version 330
uniform mat4 u_light; in vec3 in_pos;
void main() { gl_Position = u_light * vec4(in_pos, 1.0); }
"""
SHADOW_FRAG = """
#version 330
void main() {}
"""
