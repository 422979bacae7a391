/*{
  "description": "2.5D parallax camera over the depth map (orbit, circle, dolly, dolly zoom, pans, free): ray-marched, revealed background filled from behind near objects.",
  "key": "V",
  "kernel": "parallax",
  "reads_depth": true,
  "variants": ["motion", "edges", "stereo"],
  "params": {
    "motion": {"type": "choice", "default": "orbit", "values": ["orbit", "circle", "dolly", "zoom", "horizontal", "vertical", "free"], "doc": "camera path over the loop; x, y, dolly, zoom and rotation add to every motion (free: only they move the camera)"},
    "amount": {"type": "float", "default": 0.05, "min": 0, "max": 1, "doc": "how far the motion moves the camera, as a fraction of its distance to the focus plane"},
    "cycles": {"type": "int", "default": 1, "min": 1, "max": 16, "doc": "motion periods per loop (whole numbers: seamless)"},
    "height": {"type": "float", "default": 1.0, "min": 0, "max": 4, "doc": "depth scale: 0 is a flat picture; 1 puts the nearest point at half the distance of the farthest-from-focus"},
    "focus": {"type": "float", "default": 0.5, "min": 0, "max": 1, "doc": "the depth that stays still (1 = nearest, 0 = farthest)"},
    "isometric": {"type": "float", "default": 0.0, "min": 0, "max": 1, "doc": "0: perspective camera; 1: orthographic (parallel rays)"},
    "x": {"type": "float", "default": 0.0, "min": -1, "max": 1, "doc": "camera offset to the right (fraction of the focus distance); nearer things move left"},
    "y": {"type": "float", "default": 0.0, "min": -1, "max": 1, "doc": "camera offset upward; nearer things move down"},
    "dolly": {"type": "float", "default": 0.0, "min": -4, "max": 0.9, "doc": "camera moved toward the focus plane (fraction of its distance; negative: back)"},
    "zoom": {"type": "float", "default": 1.0, "min": 0.25, "max": 4, "doc": "focal length factor (> 1 magnifies)"},
    "rotation": {"type": "float", "default": 0.0, "min": -180, "max": 180, "unit": "deg", "doc": "turn the picture counter-clockwise around its centre, degrees"},
    "quality": {"type": "int", "default": 3, "min": 1, "max": 5, "doc": "ray-march cost: a step every 4, 3, 2, 1 or 0.5 px of a ray's path on the picture, then 1, 2, 2, 5 or 6 refinement steps"},
    "steps": {"type": "int", "default": 0, "min": 0, "max": 512, "doc": "march steps per ray, overriding quality (0: from quality)"},
    "edges": {"type": "choice", "default": "fill", "values": ["fill", "stretch", "streak"], "doc": "revealed background: fill (the background at the edge, fading into a fill from around the near object), streak (the background at the edge, drawn across the gap) or stretch (the depth edge smeared across the gap, as most 2.5D tools do)"},
    "stereo": {"type": "choice", "default": "off", "values": ["off", "side", "anaglyph"], "doc": "off; side: left and right eye side by side (half width each); anaglyph: red/cyan"},
    "eye": {"type": "float", "default": 0.03, "min": 0, "max": 0.5, "doc": "stereo eye separation (fraction of the focus distance); the focus plane sits on the screen"}
  }
}*/
// The model (README "Parallax"): the picture is a relief. A pixel at uv with nearness n
// lies on the original camera's ray through uv at distance 1 / (1 + height (n - focus)),
// so the focus plane is at distance 1 and the original view is exact. A new camera (the
// motion) shoots a ray per output pixel; the ray is marched from the nearest layer (n = 1)
// to the farthest (n = 0) in steps of about `quality` px of its path on the picture, the
// first crossing is refined by bisection and a secant step, and the colour is read there.
// Translations keep the focus plane still with a lens shift; orbit turns the camera to look
// at the focus point instead. `isometric` blends the rays toward parallel.
//
// Edges. Where the camera has moved, rays pass behind near objects' edges; the picture
// never showed what they see. A ray has gone behind an edge when, 1 px past its crossing,
// the surface stands well above it (WALL): it crossed a wall, not a top. Three answers:
// - fill (default): the front depth is dilated 1 px on the near side of edges (so the
//   object's anti-aliased rim moves with it); near the edge, the background pixel just
//   before the edge continues across the gap; further in, the ray goes on through the back
//   layer (the depth behind occluders, render/depthprep.py) and reads the background
//   filled in around the occluder by push-pull (render/kernels/parallax.py). Revealed
//   background thus always comes from the background side.
// - streak: only the first part (the background at the edge across the whole gap).
// - stretch: the plain march on the undilated map, reading the colour where the ray meets
//   the edge: the edge - mostly the near object's rim - is smeared across the gap.
// tests/viewsynth.py measures all three against true views (README "Parallax").
uniform sampler2D marchDepth;  // r: nearness the march follows: the front layer (dilated 1 px
                               // on the near side of edges), or the map itself for stretch
uniform sampler2D marchBounds; // r, g: lowest and highest nearness within 8 px of each 8x8 block
uniform sampler2D backDepth;   // r: nearness behind occluders (reduced size)
uniform sampler2D backFill;    // rgb: background colour behind occluders (half size)

const float TAU = 6.28318530718;
const float FAREST_W = 0.02;  // inverse distance of the farthest layer: 50 focus distances
const float WALL = 0.06;      // the surface 1 px past a crossing is this much nearer: a wall
const float CELL = 8.0;       // px per texel of marchBounds

struct Camera {
    vec3 pos;      // original camera at 0 looking down +z; the focus plane is z = 1
    mat3 turn;     // camera axes in that frame
    vec2 shift;    // lens shift, in screen units
    float dist;    // from the camera to its own focus plane
    float zoom;
    vec2 roll;     // (cos, sin) of the roll
};

struct Ray {
    vec3 origin;   // where it meets the camera's focus plane
    vec3 dir;      // dir.z > 0
};

float aspect() {
    return RENDERSIZE.x / RENDERSIZE.y;
}

Camera make_camera(float eye) {
    float t = TAU * PHASE * float(cycles);
    vec3 c = vec3(x, y, dolly);
    if (motion == MOTION_ORBIT || motion == MOTION_CIRCLE) c.xy += amount * vec2(cos(t), sin(t));
    else if (motion == MOTION_HORIZONTAL) c.x += amount * sin(t);
    else if (motion == MOTION_VERTICAL) c.y += amount * sin(t);
    else if (motion == MOTION_DOLLY || motion == MOTION_ZOOM) c.z += amount * 0.5 * (1.0 - cos(t));
    Camera cam;
    cam.pos = c;
    cam.zoom = zoom;
    cam.roll = rotation_dir;  // from the CPU: no cos() and sin() per pixel
    if (motion == MOTION_ORBIT) {
        vec3 forward = normalize(vec3(0.0, 0.0, 1.0) - c);
        vec3 right = normalize(cross(vec3(0.0, 1.0, 0.0), forward));
        cam.turn = mat3(right, cross(forward, right), forward);
        cam.dist = length(vec3(0.0, 0.0, 1.0) - c);
        cam.shift = vec2(0.0);
    } else {
        cam.turn = mat3(1.0);
        cam.dist = max(1.0 - c.z, 0.05);
        cam.shift = -c.xy / cam.dist;
    }
    if (motion == MOTION_ZOOM) cam.zoom *= cam.dist;  // dolly zoom: the focus plane keeps its size
    // Stereo: the eye beside the camera, the lens shifted so both eyes converge on the focus plane.
    cam.pos += cam.turn * vec3(eye, 0.0, 0.0);
    cam.shift.x -= eye / cam.dist;
    return cam;
}

Ray make_ray(Camera cam, vec2 p) {
    vec2 s = mat2(cam.roll.x, -cam.roll.y, cam.roll.y, cam.roll.x) * p / cam.zoom + cam.shift;
    Ray r;
    r.origin = cam.pos + cam.turn * vec3(s * cam.dist, cam.dist);
    r.dir = cam.turn * vec3(mix(s, cam.shift, isometric), 1.0);
    r.dir.z = max(r.dir.z, 1e-3);
    return r;
}

// The ray at depth layer h (nearness), in the original view's screen coordinates
// (image heights from the centre, y up).
vec2 ray_at(Ray r, float h) {
    float z = 1.0 / max(1.0 + height * (h - focus), FAREST_W);
    vec3 p = r.origin + r.dir * ((z - r.origin.z) / r.dir.z);
    return p.xy / mix(p.z, 1.0, isometric);
}

vec2 to_uv(vec2 q) {
    vec2 u = q / vec2(aspect(), 1.0) + 0.5;
    return 1.0 - abs(1.0 - mod(u, 2.0));  // mirrored beyond the borders
}

// One texture per function: software GL runs every branch of a fragment shader, so a
// choice between samplers would fetch from all of them.
float front_at(vec2 q) {
    return texture(marchDepth, to_uv(q)).r;
}

float back_at(vec2 q) {
    return texture(backDepth, to_uv(q)).r;
}

// Regula falsi (Illinois) on f(h) = depth(ray at h) - h between `above` (f < 0: the ray is
// in front of the surface) and `below` (f >= 0: behind it), `k` steps; the crossing.
float refine_front(Ray r, float above, float f_above, float below, float f_below, int k) {
    int side = 0;
    for (int i = 0; i < k; i++) {
        float h = below + (above - below) * f_below / max(f_below - f_above, 1e-6);
        float f = front_at(ray_at(r, h)) - h;
        if (f >= 0.0) {
            below = h;
            f_below = f;
            if (side == 1) f_above *= 0.5;
            side = 1;
        } else {
            above = h;
            f_above = f;
            if (side == -1) f_below *= 0.5;
            side = -1;
        }
    }
    return below + (above - below) * f_below / max(f_below - f_above, 1e-6);
}

// The same through the back layer (a copy: one sampler per function, see above).
float refine_back(Ray r, float above, float f_above, float below, float f_below, int k) {
    int side = 0;
    for (int i = 0; i < k; i++) {
        float h = below + (above - below) * f_below / max(f_below - f_above, 1e-6);
        float f = back_at(ray_at(r, h)) - h;
        if (f >= 0.0) {
            below = h;
            f_below = f;
            if (side == 1) f_above *= 0.5;
            side = 1;
        } else {
            above = h;
            f_above = f;
            if (side == -1) f_below *= 0.5;
            side = -1;
        }
    }
    return below + (above - below) * f_below / max(f_below - f_above, 1e-6);
}

// The range of nearness the ray can meet: the bounds sampled along its path on the picture,
// at most a cell apart (each texel covers the cells around it). Flat regions give a
// narrow range, so few steps.
vec2 ray_bounds(vec2 nearest, vec2 travel, float length_px) {
    int k = int(ceil(length_px / CELL)) + 1;
    ivec2 last = textureSize(marchBounds, 0) - 1;
    vec2 b = vec2(1.0, 0.0);
    for (int i = 0; i < k; i++) {
        vec2 u = to_uv(nearest + travel * (float(i) / float(max(k - 1, 1))));
        vec2 c = texelFetch(marchBounds, clamp(ivec2(u * RENDERSIZE / CELL), ivec2(0), last), 0).rg;
        b = vec2(min(b.x, c.x), max(b.y, c.y));
    }
    return vec2(max(b.x, 0.0), min(b.y, 1.0));
}

// The first crossing of the ray with the surface: march nearness from the range's top down
// to its bottom (`n` steps for the full range, proportionally fewer for less), then refine.
float march(Ray r, int n, int refine, vec2 range) {
    float lo = range.x;
    float hi = max(range.y, lo);
    int m = max(2, int(ceil(float(n) * (hi - lo))));
    float dh = (hi - lo) / float(m);
    float above = hi;
    float f_above = -1.0;
    for (int i = 0; i <= m; i++) {
        float h = hi - float(i) * dh;
        float f = front_at(ray_at(r, h)) - h;
        if (f >= 0.0) {
            return i == 0 ? h : refine_front(r, above, f_above, h, f, refine);
        }
        above = h;
        f_above = f;
    }
    return lo;
}

float px_per_step() {
    return quality <= 1 ? 4.0 : quality == 2 ? 3.0 : quality == 3 ? 2.0 : quality == 4 ? 1.0 : 0.5;
}

vec4 shade(Ray r) {
    vec2 nearest = ray_at(r, 1.0);
    vec2 travel = ray_at(r, 0.0) - nearest;
    float length_px = length(travel) * RENDERSIZE.y;
    if (length_px < 0.25) return texture(inputImage, to_uv(nearest));  // the ray sees one point
    int refine = quality <= 1 ? 1 : quality <= 3 ? 2 : quality + 1;
    int n = steps > 0 ? steps : clamp(int(ceil(length_px / px_per_step())), 2, 8 << quality);
    float h = march(r, n, refine, ray_bounds(nearest, travel, length_px));
    vec2 q = ray_at(r, h);
    if (edges != EDGES_STRETCH) {
        vec2 ahead = normalize(travel) / RENDERSIZE.y;  // 1 px along the ray's path
        if (front_at(q + ahead) - h > WALL) {
            // The ray went behind a near object's edge: what it sees is hidden in the picture.
            // Near the edge: the background just before the edge, continued across the gap.
            vec4 edge = texture(inputImage, to_uv(q - 1.5 * ahead));
            if (edges == EDGES_STREAK) return edge;
            // Deeper in the gap: on through the back layer (smooth: a few regula falsi steps
            // from here to the far end), to the background filled in around the near object.
            float f_here = back_at(q) - h;
            float f_far = back_at(ray_at(r, 0.0));
            float hb = f_here >= 0.0 ? h : refine_back(r, h, f_here, 0.0, f_far, 3);
            vec2 behind = ray_at(r, hb);
            vec4 filled = texture(backFill, to_uv(behind));
            return mix(edge, filled, smoothstep(4.0, 16.0, length(behind - q) * RENDERSIZE.y));
        }
    }
    return texture(inputImage, to_uv(q));
}

vec4 view(vec2 at, float eye) {
    return shade(make_ray(make_camera(eye), (at - 0.5) * vec2(aspect(), 1.0)));
}

vec4 effect(vec2 uv) {
    // One call site of view(): every inlined copy of the march costs seconds of shader
    // compilation in software GL.
    int eyes = stereo == STEREO_ANAGLYPH ? 2 : 1;
    vec2 at = uv;
    float side = 0.0;
    if (stereo == STEREO_SIDE) {
        at.x = fract(uv.x * 2.0);
        side = uv.x < 0.5 ? -0.5 : 0.5;
    }
    vec3 seen[2];
    for (int k = 0; k < eyes; k++) {
        float offset = eyes == 2 ? float(k) - 0.5 : side;
        seen[k] = view(at, offset * eye).rgb;
    }
    return eyes == 2 ? vec4(seen[0].r, seen[1].gb, 1.0) : vec4(seen[0], 1.0);
}
