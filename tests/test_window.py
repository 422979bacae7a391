"""`shaderviz play` in a real window under Xvfb, driven with xdotool as a person would."""

from __future__ import annotations

import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

TITLE = r"^(\[shader error\] .* \| )?shaderviz \|"  # set once the loop runs (and keys work)

EFFECT = """/*{
  "description": "test effect for hot reload",
  "params": {}
}*/
vec4 effect(vec2 uv) {
    return vec4(BODY, 1.0);
}
"""
GOOD_RED = EFFECT.replace("BODY", "texture(inputImage, uv).r, 0.0, 0.0")
BROKEN = EFFECT.replace("BODY, 1.0);", "0.0, 1.0, 0.0, 1.0)")  # no semicolon: line 7
FIXED_GREEN = EFFECT.replace("BODY", "0.0, 1.0, 0.0")


# Waits are for hangs, not for speed: a met condition returns at once, and a 2-core CI
# runner with a test suite, Xvfb and a software rasteriser on it can take several times
# the quiet machine's time (one 10 s wait timed out that way), so every wait gets slack.
SLACK = 3


def wait_for(condition: Callable[[], object], timeout: float, what: str) -> object:
    """Poll ``condition`` until it is true (returned) or ``timeout`` × SLACK s have passed."""
    deadline = time.monotonic() + timeout * SLACK
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout * SLACK} s waiting for {what}")


def xdotool(env: dict[str, str], *args: str, check: bool = True) -> str:
    """Run xdotool; retry when it cannot connect (Xvfb's short listen backlog, under load)."""
    for _ in range(5):
        done = subprocess.run(["xdotool", *args], env=env, capture_output=True, text=True, timeout=10)
        if "open display" not in done.stderr:
            break
        time.sleep(0.2)
    if check and done.returncode != 0:
        raise AssertionError(f"xdotool {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout.strip()


def _display_taken(number: int) -> bool:
    """A lock file, or a listening socket (abstract ones are shared beyond this /tmp)."""
    sockets = Path("/proc/net/unix")
    listening = sockets.read_text(errors="replace") if sockets.exists() else ""
    return Path(f"/tmp/.X{number}-lock").exists() or f"/tmp/.X11-unix/X{number}\n" in listening


def _start_xvfb(xvfb: str) -> tuple[subprocess.Popen, str]:
    """Xvfb on a random high display number (low ones, like -displayfd's, collide more)."""
    rng = random.Random()
    for _ in range(5):
        number = next(n for n in iter(lambda: rng.randint(200, 30000), None) if not _display_taken(n))
        server = subprocess.Popen([xvfb, f":{number}", "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        env = {**os.environ, "DISPLAY": f":{number}"}
        deadline = time.monotonic() + 15
        while server.poll() is None and time.monotonic() < deadline:
            if xdotool(env, "getmouselocation", check=False):
                return server, f":{number}"
            time.sleep(0.1)
        server.kill()
        server.wait()
    pytest.fail("could not start Xvfb")


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    """A private Xvfb server."""
    xvfb = shutil.which("Xvfb")
    if not (xvfb and shutil.which("xvfb-run") and shutil.which("xdotool")):
        pytest.skip("needs xvfb-run (Xvfb) and xdotool: apt-get install xvfb xauth xdotool")
    server, name = _start_xvfb(xvfb)
    try:
        yield name
    finally:
        server.terminate()
        try:
            server.wait(5)
        except subprocess.TimeoutExpired:
            server.kill()


class Player:
    """A running ``shaderviz play`` with its window id, stdout/stderr in files."""

    def __init__(self, display: str, tmp: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.display, self.snapshots = display, tmp / "snaps"
        self.env = {**(env or os.environ), "DISPLAY": display, "XDG_CONFIG_HOME": str(tmp / "config"),
                    "XDG_CACHE_HOME": str(tmp / "cache")}
        self.env.pop("WAYLAND_DISPLAY", None)
        self.out_path, self.err_path = tmp / "play.out", tmp / "play.err"
        command = [sys.executable, "-m", "shaderviz", "play", *args, "--snapshots", str(self.snapshots)]
        for attempt in range(3):
            with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
                self.proc = subprocess.Popen(command, stdout=out, stderr=err, env=self.env)
            try:
                self.window = str(wait_for(self._find_window, 30, "the play window"))
                return
            except AssertionError:
                # Xvfb's listen backlog is short: under load a connect can fail with EAGAIN.
                if attempt == 2 or "cannot connect" not in self.stderr.lower():
                    raise
                time.sleep(0.5)

    def _find_window(self) -> str | None:
        if self.proc.poll() is not None:
            raise AssertionError(f"play exited with {self.proc.returncode}: {self.stderr}")
        found = self.xdotool("search", "--onlyvisible", "--name", TITLE, check=False).split()
        return found[0] if found else None

    def xdotool(self, *args: str, check: bool = True) -> str:
        return xdotool(self.env, *args, check=check)

    @property
    def stderr(self) -> str:
        return self.err_path.read_text(errors="replace")

    @property
    def title(self) -> str:
        return self.xdotool("getwindowname", self.window)

    def key(self, name: str) -> None:
        self.xdotool("key", "--window", self.window, name)

    def snapshot(self) -> Path:
        """Press S; the new PNG once it is complete (snapshots are written by rename)."""
        before = set(self.snapshots.glob("shaderviz_*.png"))
        self.key("s")
        new = wait_for(lambda: set(self.snapshots.glob("shaderviz_*.png")) - before, 10, "a snapshot")
        return sorted(new)[-1]

    def snapshot_where(self, check: Callable[[np.ndarray], bool], what: str, timeout: float = 15) -> Path:
        """Snapshots until one passes ``check`` (the source loads asynchronously)."""
        def attempt() -> Path | None:
            path = self.snapshot()
            return path if check(pixels(path)) else None
        return wait_for(attempt, timeout, what)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)


@pytest.fixture
def play(display: str, tmp_path: Path) -> Iterator[Callable[..., Player]]:
    players: list[Player] = []

    def start(*args: str) -> Player:
        player = Player(display, tmp_path, *args)
        players.append(player)
        return player

    try:
        yield start
    finally:
        for player in players:
            player.close()


def pixels(path: Path) -> np.ndarray:
    with Image.open(path) as img:
        return np.asarray(img.convert("RGB")).astype(int)


@pytest.fixture
def stripes(tmp_path: Path) -> Path:
    """Grey-scale vertical stripes: any red/blue difference comes from a channel shift."""
    rgb = np.zeros((120, 160, 3), np.uint8)
    for x in range(0, 160, 40):
        rgb[:, x : x + 20] = 255
    path = tmp_path / "stripes.png"
    Image.fromarray(rgb).save(path)
    return path


def test_toggle_rgb_split_and_snapshot(play: Callable[..., Player], stripes: Path) -> None:
    player = play(str(stripes), "--size", "160x120", "--fx", "saturate amount=0")
    before = pixels(player.snapshot_where(lambda a: a.mean() > 50, "the source image on screen"))
    assert np.abs(before[..., 0] - before[..., 2]).max() <= 2  # grey in, grey out

    player.key("r")
    wait_for(lambda: "rgb_split" in player.title, 10, "rgb_split in the window title")
    path = player.snapshot()
    after = pixels(path)
    assert after.shape == (120, 160, 3)  # full output resolution, not the window's
    assert np.abs(after[..., 0] - after[..., 2]).max() > 100  # red and blue moved apart at edges
    assert np.abs(after[..., 1] - before[..., 1]).max() <= 2  # green stays in place
    with Image.open(path) as img:
        recipe = json.loads(img.text["shaderviz:recipe"])
    assert [e["effect"] for e in recipe["preset"]["chain"]] == ["saturate", "rgb_split"]


def test_hot_reload_keeps_running_and_recovers(
    play: Callable[..., Player], stripes: Path, tmp_path: Path
) -> None:
    effects = tmp_path / "fx"
    effects.mkdir()
    effect = effects / "reloadme.glsl"
    effect.write_text(GOOD_RED)
    player = play(str(stripes), "--size", "160x120", "--fx", "reloadme", "--effects-dir", str(effects))
    player.snapshot_where(lambda a: a[..., 0].max() > 200 and a[..., 1:].max() == 0, "the red effect")

    effect.write_text(BROKEN)
    wait_for(lambda: re.search(r"reloadme\.glsl:\d+", player.stderr), 10, "the compile error on stderr")
    wait_for(lambda: player.title.startswith("[shader error] reloadme.glsl:7"), 10, "the error in the title")
    time.sleep(0.3)
    assert player.proc.poll() is None, player.stderr
    assert "Traceback" not in player.stderr

    replacement = effects / "reloadme.glsl.tmp"  # save as many editors do: write, then rename over
    replacement.write_text(FIXED_GREEN)
    replacement.replace(effect)
    wait_for(lambda: "reloaded reloadme" in player.stderr, 10, "'reloaded reloadme' on stderr")
    green = pixels(player.snapshot_where(lambda a: a[..., 1].min() > 250, "the fixed effect's output"))
    assert green[..., 0].max() == 0 and green[..., 2].max() == 0
    assert player.stderr.count("error:") == 1, player.stderr  # printed once, not every frame
    assert not player.title.startswith("[shader error]")


def test_escape_exits_zero(play: Callable[..., Player], stripes: Path) -> None:
    player = play(str(stripes), "--size", "160x120")
    player.key("Escape")
    assert player.proc.wait(15) == 0, player.stderr
    assert "Traceback" not in player.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="DISPLAY decides only on Linux")
def test_no_display_is_one_line_exit_2(stripes: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    done = subprocess.run([sys.executable, "-m", "shaderviz", "play", str(stripes)],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert "shaderviz render" in lines[0] and "display" in lines[0]
    assert "Traceback" not in done.stderr


def test_include_change_recompiles_without_a_window(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """HotReload alone (headless GL): an include edit recompiles; a broken one keeps the last good."""
    from shaderviz.app.hotreload import HotReload
    from shaderviz.effects.chain import make_instance
    from shaderviz.effects.registry import Registry
    from shaderviz.render.context import headless_context
    from shaderviz.render.renderer import Frame, Renderer

    fx = tmp_path / "fx"
    (fx / "include").mkdir(parents=True)
    include = fx / "include" / "mytint.glsl"
    include.write_text("vec3 tint(vec3 c) { return c; }\n")
    (fx / "incfx.glsl").write_text(
        '/*{ "description": "include test" }*/\n#include "mytint.glsl"\n'
        "vec4 effect(vec2 uv) { return vec4(tint(texture(inputImage, uv).rgb), 1.0); }\n"
    )
    registry = Registry.load([fx])
    ctx = headless_context()
    renderer = Renderer(ctx, (8, 8), registry)
    reload = HotReload(registry, renderer)
    reload.start()
    try:
        renderer.upload_source(np.tile(np.array([255, 0, 0], np.uint8), (8, 8, 1)))
        chain = [make_instance(registry.get("incfx"), {})]

        def pixel() -> list[int]:
            reload.poll(["incfx"])
            return renderer.read(renderer.render(chain, Frame()))[4, 4].tolist()

        assert pixel() == [255, 0, 0]
        include.write_text("vec3 tint(vec3 c) { return c.gbr; }\n")
        wait_for(lambda: pixel() == [0, 0, 255], 10, "the include change to take effect")
        assert reload.report() is None
        include.write_text("vec3 tint(vec3 c) { return c.brg }\n")
        wait_for(lambda: pixel() and reload.report() == "mytint.glsl:1", 10, "the include's compile error")
        assert pixel() == [0, 0, 255]  # the last good program keeps running
        include.write_text("vec3 tint(vec3 c) { return c.brg; }\n")
        wait_for(lambda: pixel() == [0, 255, 0], 10, "the fixed include")
        assert reload.report() is None
        err = capsys.readouterr().err
        assert "mytint.glsl:1: error" in err and err.count("reloaded incfx") == 2
    finally:
        reload.release()
        renderer.release()
        ctx.release()


def _inversions(img: np.ndarray, axis: int, key: str = "lightness") -> int:
    """Out-of-order pairs of a sort key along rows (axis 1) or columns (axis 0)."""
    from sort_reference import sort_keys

    keys = sort_keys(img.astype(np.uint8), np.zeros(img.shape[:2], np.uint8), key).astype(np.int64)
    lines = keys if axis == 1 else keys.T
    upper = np.triu_indices(lines.shape[1], 1)
    return int(sum((line[:, None] > line[None, :])[upper].sum() for line in lines))


def test_arrow_keys_sort_and_auto_sort_keeps_flowing(play: Callable[..., Player], tmp_path: Path) -> None:
    noise = np.random.default_rng(1).integers(0, 256, (400, 96, 3), dtype=np.uint8)
    source = tmp_path / "noise.png"
    Image.fromarray(noise).save(source)
    player = play(str(source), "--size", "96x400", "--fx", "saturate amount=0")  # identity
    start = pixels(player.snapshot_where(lambda a: a.std() > 40, "the noise image"))
    rows_before = _inversions(start, axis=1)

    player.xdotool("keydown", "--window", player.window, "Right")  # hold: sorts while down
    try:
        wait_for(lambda: _inversions(pixels(player.snapshot()), axis=1) < rows_before // 2, 15,
                 "rows sorting while Right is held")
    finally:
        player.xdotool("keyup", "--window", player.window, "Right")
    time.sleep(0.3)
    held = pixels(player.snapshot())
    assert np.array_equal(held, pixels(player.snapshot()))  # released: stops where it is
    assert sorted(map(tuple, held[7])) == sorted(map(tuple, noise[7]))  # pixels moved, none lost

    player.key("Down")  # direction: columns, growing downward
    player.key("a")  # auto sort: keeps sorting with no key held
    first = _inversions(pixels(player.snapshot()), axis=0)
    wait_for(lambda: _inversions(pixels(player.snapshot()), axis=0) < first, 15, "auto sort moving on")
    player.key("x")  # reset: back to the unsorted image
    wait_for(lambda: _inversions(pixels(player.snapshot()), axis=1) > rows_before * 0.8, 15, "the reset")


def test_depth_model_runs_behind_the_window(
    play: Callable[..., Player], tmp_path: Path, gl_ctx  # noqa: ANN001
) -> None:
    """A depth-gated effect on a photo: the window starts at once with flat depth, then the
    model's map arrives from its worker and the effect covers only the near part."""
    from shaderviz.depth.scenes import SceneRenderer, nearness

    renderer = SceneRenderer(120, ctx=gl_ctx, shadow_size=256)
    rgb, depth = renderer.render(20_000_001, "closeup")
    renderer.release()
    photo = tmp_path / "closeup.png"
    Image.fromarray(rgb).save(photo)
    truth = nearness(depth)

    player = play(str(photo), "--fx", "colorize palette=acid depth_min=0.6 depth_soft=0.05")

    def partly_coloured(a: np.ndarray) -> bool:
        changed = np.abs(a - rgb.astype(int)).max(axis=2) > 24
        return 0.05 < changed.mean() < 0.95 and truth[changed].mean() > truth[~changed].mean() + 0.2

    player.snapshot_where(partly_coloured, "the near part coloured by the depth-gated effect")
    assert "warning" not in player.stderr


# -- the README's claims for play: options and keys ------------------------------------


def solid(path: Path, colour: tuple[int, int, int], size: tuple[int, int] = (160, 120)) -> Path:
    Image.new("RGB", size, colour).save(path)
    return path


def is_colour(colour: tuple[int, int, int]) -> Callable[[np.ndarray], bool]:
    return lambda a: bool(np.abs(a - np.array(colour)).max(axis=2).mean() < 8)


def geometry(player: Player) -> tuple[int, int]:
    """The play window's size on the screen ((0, 0) while there is none: pyglet makes a
    new window when it enters or leaves fullscreen)."""
    window = player._find_window()
    if window is None:
        return (0, 0)
    found = player.xdotool("getwindowgeometry", "--shell", window, check=False).split()
    shell = dict(line.split("=", 1) for line in found if "=" in line)
    return int(shell.get("WIDTH", 0)), int(shell.get("HEIGHT", 0))


def press_in_new_window(player: Player, key: str) -> None:
    """Press ``key`` in the play window as it is now (F makes it anew). The release may
    find the window gone already: that is no error."""
    player.window = str(wait_for(player._find_window, 10, "the play window"))
    player.xdotool("key", "--window", player.window, key, check=False)


def fps_readings(player: Player, seconds: float) -> list[float]:
    """The frame rates the title shows over ``seconds`` (it refreshes twice a second)."""
    readings = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        match = re.search(r"\| (\d+) fps", player.title)
        if match:
            readings.append(float(match.group(1)))
        time.sleep(0.25)
    return readings


def test_fullscreen_option_and_f_key(play: Callable[..., Player], stripes: Path) -> None:
    """--fullscreen starts covering the screen (Xvfb's is 1280x1024); each press of F
    toggles (pyglet makes a new window each time: a press must not be lost to it)."""
    player = play(str(stripes), "--size", "160x120", "--fullscreen")
    wait_for(lambda: geometry(player) == (1280, 1024), 15, "a fullscreen window")
    for _ in range(2):
        press_in_new_window(player, "f")
        wait_for(lambda: geometry(player) not in ((1280, 1024), (0, 0)), 15, "a window again")
        press_in_new_window(player, "f")
        wait_for(lambda: geometry(player) == (1280, 1024), 15, "fullscreen again")
    assert "Traceback" not in player.stderr


def test_vsync_on_paces_frames_and_off_does_not(play: Callable[..., Player], tmp_path: Path) -> None:
    """Xvfb has no vertical blank, so `on` is held to at most 120 frames/s by the loop;
    `off` runs as fast as it can (a tiny window on a tiny chain: far more than that)."""
    tiny = solid(tmp_path / "tiny.png", (40, 80, 120), (16, 16))
    rates = {}
    for mode in ("off", "on"):
        player = play(str(tiny), "--size", "16x16", "--fx", "saturate", "--vsync", mode)
        player.xdotool("windowsize", player.window, "32", "32", check=False)
        rates[mode] = [r for r in fps_readings(player, 4) if r > 0]
        player.close()
    assert rates["on"] and max(rates["on"]) <= 125, rates
    assert rates["off"] and max(rates["off"]) > 240, rates


def test_space_pauses_and_resumes_time(play: Callable[..., Player], stripes: Path) -> None:
    player = play(str(stripes), "--size", "160x120", "--seconds", "2",
                  "--fx", "rgb_split amount=0.05 angle=saw(0,360)")
    player.snapshot_where(lambda a: a.mean() > 50, "the source image on screen")
    wait_for(lambda: not np.array_equal(pixels(player.snapshot()), pixels(player.snapshot())), 15,
             "moving frames")
    player.key("space")
    wait_for(lambda: "paused" in player.title, 10, "'paused' in the title")
    first = pixels(player.snapshot())
    time.sleep(0.5)
    assert np.array_equal(first, pixels(player.snapshot()))  # time stands still
    player.key("space")
    wait_for(lambda: "paused" not in player.title, 10, "the pause to end")
    wait_for(lambda: not np.array_equal(pixels(player.snapshot()), first), 15, "frames moving again")


def test_cycle_shows_each_image_of_a_folder_in_turn(play: Callable[..., Player], tmp_path: Path) -> None:
    folder = tmp_path / "images"
    folder.mkdir()
    solid(folder / "a.png", (255, 0, 0))
    solid(folder / "b.png", (0, 0, 255))
    player = play(str(folder), "--cycle", "0.5", "--seconds", "60", "--fx", "saturate amount=0")
    player.snapshot_where(is_colour((255, 0, 0)), "the first image")
    start = time.monotonic()
    player.snapshot_where(is_colour((0, 0, 255)), "the second image, half a second on", timeout=5)
    player.snapshot_where(is_colour((255, 0, 0)), "the first image again", timeout=5)
    player.snapshot_where(is_colour((0, 0, 255)), "the second image again", timeout=5)
    # Three changes take 1.5 s at --cycle 0.5; with --cycle ignored (the default 10 s) they
    # take 20 s, which the waits' slack alone would let through.
    assert time.monotonic() - start < 12


def test_n_loads_the_next_image_on_a_worker_while_the_window_plays(
    play: Callable[..., Player], tmp_path: Path
) -> None:
    """The next image is a named pipe: reading it blocks until the test writes a PNG into
    it. Meanwhile the window keeps running (keys work, snapshots come); then the image
    arrives and shows."""
    folder = tmp_path / "images"
    folder.mkdir()
    solid(folder / "a.png", (255, 0, 0))
    pipe = folder / "b.png"
    os.mkfifo(pipe)
    player = play(str(folder), "--size", "160x120", "--cycle", "3600", "--fx", "saturate amount=0")
    player.snapshot_where(is_colour((255, 0, 0)), "the first image")
    player.key("n")
    writer = wait_for(lambda: _open_for_writing(pipe), 10, "the loader to open the next image")
    try:
        player.key("space")  # the loop still runs keys and the title ...
        wait_for(lambda: "paused" in player.title, 10, "the window to go on while the image loads")
        assert is_colour((255, 0, 0))(pixels(player.snapshot()))  # ... and shows the last image
        png = io.BytesIO()
        Image.new("RGB", (160, 120), (0, 0, 255)).save(png, format="PNG")
        os.write(writer, png.getvalue())
    finally:
        os.close(writer)
    player.snapshot_where(is_colour((0, 0, 255)), "the next image, once loaded")
    assert "warning" not in player.stderr


def _open_for_writing(pipe: Path) -> int | None:
    """A write end of the pipe once a reader has it open (None until then)."""
    try:
        fd = os.open(pipe, os.O_WRONLY | os.O_NONBLOCK)
    except OSError:
        return None
    os.set_blocking(fd, True)
    return fd


def test_question_mark_prints_the_keys(play: Callable[..., Player], stripes: Path) -> None:
    player = play(str(stripes), "--size", "160x120")
    player.key("question")
    wait_for(lambda: "toggle rgb_split" in player.out_path.read_text(), 10, "the keys on stdout")
    text = player.out_path.read_text()
    assert "snapshot" in text and "fullscreen" in text and "ESCAPE" in text


def test_z_cycles_the_sort_key(play: Callable[..., Player], tmp_path: Path) -> None:
    """Z steps through the sort keys, and sorting then uses the new key."""
    noise = np.random.default_rng(2).integers(0, 256, (64, 96, 3), dtype=np.uint8)
    source = tmp_path / "noise.png"
    Image.fromarray(noise).save(source)
    player = play(str(source), "--size", "96x64", "--fx", "saturate amount=0")
    player.snapshot_where(lambda a: a.std() > 40, "the noise image")
    player.key("z")
    wait_for(lambda: "sort key: hue" in player.out_path.read_text(), 10, "'sort key: hue' on stdout")
    player.key("z")
    wait_for(lambda: "sort key: saturation" in player.out_path.read_text(), 10, "the next key")
    unsorted = _inversions(noise, axis=1, key="saturation")
    player.xdotool("keydown", "--window", player.window, "Right")
    try:
        wait_for(lambda: _inversions(pixels(player.snapshot()), 1, "saturation") < unsorted // 4, 20,
                 "rows sorted by saturation")
    finally:
        player.xdotool("keyup", "--window", player.window, "Right")


def test_a_saved_effect_file_reloads_within_a_second(tmp_path: Path) -> None:
    """HotReload as the loop drives it (headless GL): from saving the file to the new
    program's pixels. The median of three saves is under a second (the README's claim;
    the settle time is 0.12 s)."""
    from shaderviz.app.hotreload import HotReload
    from shaderviz.effects.chain import make_instance
    from shaderviz.effects.registry import Registry
    from shaderviz.render.context import headless_context
    from shaderviz.render.renderer import Frame, Renderer

    fx = tmp_path / "fx"
    fx.mkdir()
    effect = fx / "tint.glsl"
    effect.write_text(EFFECT.replace("BODY", "0.0, 0.0, 0.0"))
    registry = Registry.load([fx])
    ctx = headless_context()
    renderer = Renderer(ctx, (8, 8), registry)
    reload = HotReload(registry, renderer)
    reload.start()
    latencies = []
    try:
        chain = [make_instance(registry.get("tint"), {})]
        for level in (64, 128, 192):
            time.sleep(0.3)  # a pause between saves, as between edits
            effect.write_text(EFFECT.replace("BODY", f"{level / 255:.6f}, 0.0, 0.0"))
            saved = time.monotonic()
            while time.monotonic() - saved < 10:
                reload.poll(["tint"])
                if renderer.read(renderer.render(chain, Frame()))[4, 4, 0] == level:
                    break
                time.sleep(0.01)
            latencies.append(time.monotonic() - saved)
    finally:
        reload.release()
        renderer.release()
        ctx.release()
    assert sorted(latencies)[1] < 1.0, latencies
