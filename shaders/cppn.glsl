/*{
  "description": "Random neural network (CPPN): an MLP from x, y, r and a moving latent to colour, live at full resolution (input cppn or cppn:SEED)",
  "kind": "source",
  "kernel": "cppn",
  "params": {
    "seed": {"type": "int", "default": -1, "min": -1, "max": 2147483647, "doc": "network seed (cppn:SEED); -1: the show's --seed"},
    "image": {"type": "int", "default": 0, "min": 0, "max": 1000000000, "doc": "which network of the seed's sequence (G in play: a new one)"},
    "width": {"type": "int", "default": 16, "min": 1, "max": 32, "doc": "neurons per hidden layer"},
    "layers": {"type": "int", "default": 4, "min": 1, "max": 16, "doc": "hidden layers"},
    "latents": {"type": "int", "default": 4, "min": 1, "max": 8, "doc": "latent inputs moving on the walk"},
    "activation": {"type": "choice", "default": "mix", "values": ["mix", "tanh", "sin", "gauss", "softplus"], "doc": "hidden activations (mix: drawn per neuron)"},
    "detail": {"type": "float", "default": 3.0, "min": 0.1, "max": 8, "doc": "weight gain of the layers: higher = finer, busier patterns"},
    "zoom": {"type": "float", "default": 1.5, "min": 0.05, "max": 20, "doc": "coordinate range: the short side spans -zoom..zoom"},
    "walk": {"type": "bool", "default": true, "doc": "move the latent on its closed path (W in play)"},
    "speed": {"type": "float", "default": 1, "min": 0, "max": 16, "integrate": true, "doc": "trips around the closed path per loop (whole numbers close the loop)"},
    "radius": {"type": "float", "default": 0.5, "min": 0, "max": 4, "doc": "size of the latent path"},
    "downscale": {"type": "int", "default": 1, "min": 1, "max": 8, "doc": "evaluate the network at 1/N size and upscale (software GL)"}
  },
  "passes": [{"target": "net", "divisor": "downscale"}, {}]
}*/
// Weights: shaderviz/generators/cppn.py (pack) documents the texture layout; the torch
// reference there computes the same image (tests/test_cppn.py compares them).
uniform sampler2D cppnWeights;

#define GROUPS 8  // vec4 groups of neurons: up to 32 per layer
#define PATH_ROWS 3

float activate(float s, int id) {
    if (id == 0) return tanh(clamp(s, -15.0, 15.0));
    if (id == 1) return sin(s);
    if (id == 2) return exp(-s * s);
    if (id == 3) return log(1.0 + exp(-abs(s))) + max(s, 0.0);
    return 1.0 / (1.0 + exp(-s));
}

float latent(int k, float position) {
    ivec2 at = ivec2(1 + k / 4, 0);
    int lane = k - (k / 4) * 4;
    float c = texelFetch(cppnWeights, at, 0)[lane];
    float a = texelFetch(cppnWeights, at + ivec2(0, 1), 0)[lane];
    float b = texelFetch(cppnWeights, at + ivec2(0, 2), 0)[lane];
    float turn = 6.28318530718 * position;
    return c + radius * (a * (cos(turn) - 1.0) + b * sin(turn));
}

vec4 effect(vec2 uv) {
#if PASSINDEX == 0
    float position = walk ? speed : 0.0;  // speed arrives integrated over the loop: a position
    vec2 q = (uv * 2.0 - 1.0) * vec2(RENDERSIZE.x / RENDERSIZE.y, 1.0) * zoom;
    vec4 h[GROUPS];
    vec4 o[GROUPS];
    for (int g = 0; g < GROUPS; g++) h[g] = vec4(0.0);
    h[0].xyz = vec3(q, length(q));
    for (int k = 0; k < latents; k++) {
        int i = 3 + k;
        h[i / 4][i - (i / 4) * 4] = latent(k, position);
    }
    int inputs = 3 + latents;
    int row = PATH_ROWS;
    for (int layer = 0; layer <= layers; layer++) {
        int outputs = layer == layers ? 3 : width;
        int groups = (inputs + 3) / 4;
        float gain = layer == layers ? 1.0 : detail;
        for (int g = 0; g < GROUPS; g++) o[g] = vec4(0.0);
        for (int j = 0; j < outputs; j++) {
            vec4 meta = texelFetch(cppnWeights, ivec2(0, row + j), 0);
            float s = 0.0;
            for (int g = 0; g < groups; g++) {
                s += dot(texelFetch(cppnWeights, ivec2(1 + g, row + j), 0), h[g]);
            }
            o[j / 4][j - (j / 4) * 4] = activate(s * gain + meta.x, int(meta.y + 0.5));
        }
        for (int g = 0; g < GROUPS; g++) h[g] = o[g];
        row += outputs;
        inputs = outputs;
    }
    return vec4(h[0].rgb, 1.0);
#else
    return vec4(texture(net, uv).rgb, 1.0);
#endif
}
