"""gan: sources and user generators: loading (ours, TorchScript), GPU upscaling against
numpy references, crossfades, seamless latent walks, presets and recipes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from shaderviz.effects.chain import make_instance
from shaderviz.errors import UserError
from shaderviz.generators import checkpoint, walk
from shaderviz.generators.gan import FORMAT, Generator
from shaderviz.generators.loader import load_generator
from shaderviz.render.renderer import Frame, Renderer


def save_generator(path: Path, size: int = 32, latent: int = 8, seed: int = 0) -> Generator:
    torch.manual_seed(seed)
    model = Generator({"size": size, "latent": latent, "width": 32})
    checkpoint.atomic_save({"format": FORMAT, "config": model.config, "g_ema": model.state_dict()}, path)
    return model


@pytest.fixture(scope="module")
def gen_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gen") / "tiny.pt"
    save_generator(path)
    return path


def cli(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "shaderviz", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def frames(folder: Path) -> list[np.ndarray]:
    return [np.asarray(Image.open(p).convert("RGB")).astype(int) for p in sorted(folder.glob("*.png"))]


# -- loading ---------------------------------------------------------------------------------


def test_own_checkpoint_and_torchscript_load_with_their_latent_size(tmp_path: Path) -> None:
    model = save_generator(tmp_path / "ours.pt", latent=12)
    loaded = load_generator(str(tmp_path / "ours.pt"))
    assert loaded.latent == 12 and loaded.size == 32
    z = walk.keyframe(1, 0, 12)[None]
    want = ((model(torch.from_numpy(z)).clamp(-1, 1) + 1) * 127.5).round().byte().permute(0, 2, 3, 1).numpy()
    assert np.array_equal(loaded.generate(z), want)

    torch.jit.script(model).save(str(tmp_path / "scripted.ts"))  # its `latent` attribute says 12
    scripted = load_generator(str(tmp_path / "scripted.ts"))
    assert scripted.latent == 12 and np.abs(scripted.generate(z).astype(int) - want).max() <= 1

    plain = torch.nn.Sequential(torch.nn.Linear(16, 3 * 8 * 8), torch.nn.Unflatten(1, (3, 8, 8)))
    torch.jit.script(plain).save(str(tmp_path / "probed.ts"))  # no attribute: the latent size is probed
    assert load_generator(str(tmp_path / "probed.ts")).latent == 16

    class DCGAN(torch.nn.Module):  # (N, Z, 1, 1) latents, as the classic DCGAN takes them
        def __init__(self) -> None:
            super().__init__()
            self.latent_dim = 20
            self.net = torch.nn.Sequential(torch.nn.ConvTranspose2d(20, 3, 8), torch.nn.Tanh())

        def forward(self, z: torch.Tensor) -> torch.Tensor:
            return self.net(z)

    torch.jit.script(DCGAN()).save(str(tmp_path / "dcgan.pt"))
    dcgan = load_generator(str(tmp_path / "dcgan.pt"))
    assert dcgan.latent == 20 and dcgan.spatial_latent
    assert dcgan.generate(np.zeros((2, 20), np.float32)).shape == (2, 8, 8, 3)


@pytest.mark.parametrize("case, expected", [
    ("missing", "no such file"),
    ("folder", "is a folder"),
    ("garbage", "not a PyTorch file"),
    ("pickle", "refused"),
    ("foreign", "not a shaderviz GAN checkpoint"),
    ("mismatch", "do not fit its config"),
    ("script", "incompatible TorchScript"),
])
def test_bad_generator_files_are_one_line_errors(tmp_path: Path, case: str, expected: str) -> None:
    path = tmp_path / "g.pt"
    if case == "folder":
        path.mkdir()
    elif case == "garbage":
        path.write_bytes(b"not a model at all")
    elif case == "pickle":
        torch.save({"format": FORMAT, "config": Path("x")}, path)  # a pickled object: weights_only refuses
    elif case == "foreign":
        torch.save({"state_dict": {"w": torch.zeros(1)}}, path)
    elif case == "mismatch":
        model = Generator({"size": 32, "latent": 8, "width": 32})
        torch.save({"format": FORMAT, "config": {"size": 64, "latent": 8, "width": 32},
                    "g_ema": model.state_dict()}, path)
    elif case == "script":
        torch.jit.script(torch.nn.Linear(3, 3)).save(str(path))
    with pytest.raises(UserError, match=expected) as info:
        load_generator(str(path))
    assert "\n" not in str(info.value)
    done = cli("render", f"gan:{path}", "-o", str(tmp_path / "o.png"), "--frames", "1", "--size", "8x8")
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr


# -- the GPU side: upscaling and crossfades --------------------------------------------------


def gan_frame(gl_ctx, registry, size, image, params, fit="stretch", previous=None, time=0.0):  # noqa: ANN001
    renderer = Renderer(gl_ctx, size, registry)
    try:
        if previous is not None:
            renderer.upload_generated(previous, fit=fit)
            renderer.render([], Frame(0, 0.0, 0.0, 0), make_instance(registry.get("gan", "source"), params))
        renderer.upload_generated(image, crossfade=previous is not None, fit=fit)
        generator = make_instance(registry.get("gan", "source"), params)
        renderer.render([], Frame(0, 10.0, 0.0, 0), generator)  # the swap happens at t = 10
        target = renderer.render([], Frame(1, 10.0 + time, 0.0, 0), generator)
        assert renderer.errors == {}
        return renderer.read(target).astype(np.float64)
    finally:
        renderer.release()


def catmull_rom(img: np.ndarray, scale: int) -> np.ndarray:
    """Separable Catmull-Rom upscaling with clamped edges (the reference for upscale=cubic)."""
    def axis(a: np.ndarray, n: int, ax: int) -> np.ndarray:
        pos = (np.arange(a.shape[ax] * n) + 0.5) / n - 0.5
        i = np.floor(pos).astype(int)
        f = pos - i
        w = [f * (-0.5 + f * (1 - 0.5 * f)), 1 + f * f * (-2.5 + 1.5 * f), f * (0.5 + f * (2 - 1.5 * f)),
             f * f * (-0.5 + 0.5 * f)]
        out = 0
        for k in range(4):
            idx = np.clip(i - 1 + k, 0, a.shape[ax] - 1)
            shape = [1] * a.ndim
            shape[ax] = -1
            out = out + np.take(a, idx, axis=ax) * w[k].reshape(shape)
        return out
    return np.clip(axis(axis(img.astype(np.float64), scale, 0), scale, 1), 0, 255)


def bilinear_2x(img: np.ndarray) -> np.ndarray:
    """Double the size with bilinear filtering at pixel centres, edges clamped (a GPU texture)."""
    def axis(a: np.ndarray, ax: int) -> np.ndarray:
        pos = (np.arange(a.shape[ax] * 2) + 0.5) / 2 - 0.5
        i = np.floor(pos).astype(int)
        f = (pos - i).reshape([-1 if k == ax else 1 for k in range(a.ndim)])
        lo, hi = np.clip(i, 0, a.shape[ax] - 1), np.clip(i + 1, 0, a.shape[ax] - 1)
        return np.take(a, lo, axis=ax) * (1 - f) + np.take(a, hi, axis=ax) * f
    return axis(axis(img, 0), 1)


def test_upscale_nearest_linear_cubic_match_numpy(gl_ctx, registry) -> None:  # noqa: ANN001
    img = np.random.default_rng(2).integers(0, 256, (6, 8, 3), dtype=np.uint8)
    nearest = gan_frame(gl_ctx, registry, (32, 24), img, {"upscale": "nearest"})
    assert np.array_equal(nearest, np.repeat(np.repeat(img, 4, 0), 4, 1))
    cubic = gan_frame(gl_ctx, registry, (32, 24), img, {"upscale": "cubic"})
    # Catmull-Rom to half size (5 bilinear taps: the corners dropped), then bilinear 2x.
    want = bilinear_2x(np.round(catmull_rom(img, 2)))
    error = np.abs(cubic - want)
    assert error.mean() < 1.0 and error.max() <= 6, (error.mean(), error.max())
    assert np.abs(cubic - np.repeat(np.repeat(img, 4, 0), 4, 1)).mean() > 10  # not the nearest image
    linear = gan_frame(gl_ctx, registry, (32, 24), img, {"upscale": "linear"})
    inside = linear[2:-2, 2:-2]
    assert np.abs(inside - cubic[2:-2, 2:-2]).mean() > 1  # a different filter
    assert linear.min() >= img.min() - 1 and linear.max() <= img.max() + 1  # linear never overshoots


def test_fit_modes_crop_and_letterbox(gl_ctx, registry) -> None:  # noqa: ANN001
    img = np.zeros((4, 4, 3), np.uint8)
    img[:, :2] = 255  # left half white
    fill = gan_frame(gl_ctx, registry, (16, 8), img, {"upscale": "nearest"}, fit="fill")
    assert fill[:, :8].min() == 255 and fill[:, 8:].max() == 0  # cropped top and bottom: halves stay
    fit = gan_frame(gl_ctx, registry, (16, 8), img, {"upscale": "nearest"}, fit="fit")
    assert fit[:, :4].max() == 0 and fit[:, 12:].max() == 0  # black bars left and right
    assert fit[:, 4:8].min() == 255


def test_crossfade_goes_from_the_previous_image_to_the_new_one(gl_ctx, registry) -> None:  # noqa: ANN001
    black, white = np.zeros((4, 4, 3), np.uint8), np.full((4, 4, 3), 255, np.uint8)
    params = {"upscale": "nearest", "fade": 2.0}
    at = {t: gan_frame(gl_ctx, registry, (8, 8), white, params, previous=black, time=t).mean()
          for t in (0.0, 0.5, 1.0, 2.0)}
    assert at[0.0] == 0 and at[2.0] == 255
    assert 0 < at[0.5] < at[1.0] < 255 and abs(at[1.0] - 127.5) < 2  # smoothstep: half way at half time
    cut = gan_frame(gl_ctx, registry, (8, 8), white, {"upscale": "nearest", "fade": 0.0}, previous=black)
    assert cut.mean() == 255


def test_walk_steps_during_a_crossfade_keep_it_going(gl_ctx, registry) -> None:  # noqa: ANN001
    grey = np.full((4, 4, 3), 200, np.uint8)
    renderer = Renderer(gl_ctx, (8, 8), registry)
    generator = make_instance(registry.get("gan", "source"), {"upscale": "nearest", "fade": 2.0})
    try:
        renderer.upload_generated(np.zeros((4, 4, 3), np.uint8))
        renderer.render([], Frame(0, 9.0, 0.0, 0), generator)
        renderer.upload_generated(np.full((4, 4, 3), 255, np.uint8), crossfade=True)  # a new image
        renderer.render([], Frame(1, 10.0, 0.0, 0), generator)  # the fade starts at t = 10
        renderer.upload_generated(grey)  # the walk's next frame of the new image
        half = renderer.read(renderer.render([], Frame(2, 11.0, 0.0, 0), generator)).mean()
        done = renderer.read(renderer.render([], Frame(3, 12.0, 0.0, 0), generator)).mean()
    finally:
        renderer.release()
    assert abs(half - 100) < 2 and done == 200  # half way from black to the walk's grey


def test_the_crossfade_variant_is_drawn_with_the_first_frame(gl_ctx, registry, monkeypatch) -> None:  # noqa: ANN001
    """Software GL compiles a shader at its first draw: with Mesa's shader cache empty, the
    first crossfade (10 s into the default show) took a 170-240 ms frame. Its variant of the
    generator is drawn once with the first frame instead, which the real draw overwrites."""
    import moderngl

    drawn = []
    render = moderngl.VertexArray.render

    def counted(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        drawn.append(self.program.glo)
        return render(self, *args, **kwargs)

    monkeypatch.setattr(moderngl.VertexArray, "render", counted)
    renderer = Renderer(gl_ctx, (8, 8), registry)
    spec = registry.get("gan", "source")
    generator = make_instance(spec, {"upscale": "nearest", "fade": 2.0})
    try:
        renderer.upload_generated(np.full((4, 4, 3), 60, np.uint8))
        first = renderer.read(renderer.render([], Frame(0, 9.0, 0.0, 0), generator))
        fading = renderer.compiled(spec, (*renderer._variant(spec, generator, renderer.source)[:-1], 1))
        assert fading is not None and {p.glo for p in fading.programs} <= set(drawn)
        count = len(drawn)
        renderer.render([], Frame(1, 9.1, 0.0, 0), generator)
        assert len(drawn) - count == len(spec.passes)  # once only: later frames draw their own
    finally:
        renderer.release()
    assert np.allclose(first, 60, atol=1)  # the frame shows the image, not the warm-up


# -- walks, determinism, presets, recipes (the command line) ---------------------------------


def test_walk_path_is_closed_and_smooth() -> None:
    start = walk.latent(3, 1, 64, 0.0, 0.8)
    assert np.array_equal(start, walk.keyframe(3, 1, 64))
    assert np.allclose(walk.latent(3, 1, 64, 1.0, 0.8), start, atol=1e-5)
    steps = [walk.latent(3, 1, 64, p, 0.8) for p in np.linspace(0, 1, 201)]
    jumps = [np.abs(a - b).max() for a, b in zip(steps, steps[1:], strict=False)]
    assert max(jumps) < 0.15 and np.abs(steps[100] - start).mean() > 0.2


def test_rendered_walk_loop_closes(gen_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "loop"
    out.mkdir()
    (tmp_path / "still").mkdir()
    done = cli("render", f"gan:{gen_file}", "-o", str(out / "f.png"), "--size", "32x32", "--fps", "8",
               "--seconds", "1", "--frames", "9", "--fx", "saturate amount=0", "--quiet")
    assert done.returncode == 0, done.stderr
    f = frames(out)
    assert len(f) == 9
    assert np.array_equal(f[0], f[8])  # frame N equals frame 0
    assert all(np.abs(a - b).mean() > 0.5 for a, b in zip(f[:8], f[1:8], strict=False))  # it moves
    still = cli("render", f"gan:{gen_file}", "-o", str(tmp_path / "still" / "f.png"), "--size", "32x32",
                "--fps", "8", "--seconds", "1", "--frames", "3", "--fx", "saturate amount=0", "--quiet",
                "--preset", str(_preset(tmp_path, f"gan:{gen_file}", "walk = false")))
    assert still.returncode == 0, still.stderr
    s = frames(tmp_path / "still")
    assert np.array_equal(s[0], s[1]) and np.array_equal(s[0], s[2])


def _preset(folder: Path, source: str, generator: str) -> Path:
    path = folder / "p.toml"
    path.write_text(f'source = "{source}"\nseconds = 1\n\n[generator]\n{generator}\n')
    return path


def test_seeds_and_sources(gen_file: Path, tmp_path: Path) -> None:
    def first(source: str, seed: str) -> np.ndarray:
        out = tmp_path / f"{source.replace(':', '_').replace('/', '_')}-{seed}.png"
        done = cli("render", source, "-o", str(out), "--frames", "1", "--size", "24x16", "--seed", seed,
                   "--fx", "saturate amount=0")
        assert done.returncode == 0, done.stderr
        return np.asarray(Image.open(out).convert("RGB")).astype(int)

    gan = f"gan:{gen_file}"
    assert np.array_equal(first(gan, "1"), first(gan, "1"))
    assert not np.array_equal(first(gan, "1"), first(gan, "2"))
    assert np.array_equal(first("cppn:7", "1"), first("cppn:7", "2"))  # cppn:SEED fixes the network
    assert not np.array_equal(first("cppn:7", "1"), first("cppn:8", "1"))
    assert first("cppn:7", "1").std() > 8


def test_preset_paths_are_relative_and_recipes_round_trip(gen_file: Path, tmp_path: Path) -> None:
    folder = tmp_path / "show"
    folder.mkdir()
    (folder / "mine.pt").write_bytes(gen_file.read_bytes())
    preset = _preset(folder, "gan:mine.pt", 'upscale = "nearest"\nimage = 3')
    out = tmp_path / "a.png"
    command = [sys.executable, "-m", "shaderviz", "render", "--preset", str(preset), "-o", str(out),
               "--frames", "1", "--size", "32x32"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    again = tmp_path / "b.png"
    assert cli("render", "--preset", str(out), "-o", str(again), "--frames", "1").returncode == 0
    assert np.array_equal(np.asarray(Image.open(out)), np.asarray(Image.open(again)))
    bad = _preset(folder, "gan:missing.pt", "")
    done = cli("render", "--preset", str(bad), "-o", str(tmp_path / "c.png"))
    assert done.returncode == 2 and "p.toml:1" in done.stderr and "missing.pt" in done.stderr


def test_bad_source_specs_are_one_line_errors(tmp_path: Path) -> None:
    for source, expected in (("gan:nothing", "neither a shipped generator"), ("cppn:seven", "cppn:SEED"),
                             ("gan", "name the generator"), ("gan:", "expected gan:NAME")):
        done = cli("render", source, "-o", str(tmp_path / "x.png"), "--frames", "1")
        assert done.returncode == 2 and expected in done.stderr, (source, done.stderr)
        assert len(done.stderr.strip().splitlines()) == 1
