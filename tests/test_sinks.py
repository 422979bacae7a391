"""Live video out: the sink interface with a recording sink, pyvirtualcam's and cyndilib's
real frame paths, Syphon and Spout with stand-ins, and the one-line errors."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import threading
import time
import types

import numpy as np
import pytest
from PIL import Image
from test_cli import one_line_error, shaderviz
from test_window import display, play  # noqa: F401 - fixtures: a private Xvfb, a running play

from shaderviz.app.show import build_show
from shaderviz.effects.chain import parse_fx
from shaderviz.errors import UserError
from shaderviz.outputs import sinks
from shaderviz.outputs.recorder import record
from shaderviz.outputs.sinks.feed import LiveOutputs
from shaderviz.render.renderer import Frame, Renderer

SIZE = (24, 16)


class Recording:
    """A sink that keeps what it gets (optionally slowly, like a congested receiver)."""

    def __init__(self, target: str, channels: int = 3, delay: float = 0.0) -> None:
        self.spec, self.channels, self.delay = f"record:{target}", channels, delay
        self.frames: list[np.ndarray] = []
        self.opened = self.closed = False

    def open(self, size: tuple[int, int], fps: float) -> None:
        self.opened, self.size, self.fps = True, size, fps

    def send(self, frame: np.ndarray) -> None:
        time.sleep(self.delay)
        self.frames.append(frame.copy())

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def recorder(monkeypatch):
    made: list[Recording] = []

    def factory(target: str) -> Recording:
        channels, _, delay = target.partition("/")
        made.append(Recording(target, int(channels or 3), float(delay or 0)))
        return made[-1]

    monkeypatch.setitem(sinks._FACTORIES, "record", factory)
    return made


def images(count: int) -> list[np.ndarray]:
    rng = np.random.default_rng(2)
    return [rng.integers(0, 256, (SIZE[1], SIZE[0], 3), dtype=np.uint8) for _ in range(count)]


def wait_for(condition, timeout: float = 10.0, what: str = "") -> None:  # noqa: ANN001
    deadline = time.time() + timeout
    while not condition() and time.time() < deadline:
        time.sleep(0.01)


def test_frames_reach_a_sink_upright_and_in_order(gl_ctx, registry, recorder):
    show = build_show(registry, "clouds", None, ["saturate"], SIZE)
    renderer = Renderer(gl_ctx, SIZE, registry)
    live = LiveOutputs.for_show(renderer, show, ["record:3"])
    shown = []
    try:
        for picture in images(6):
            renderer.upload_source(picture)
            target = renderer.render([parse_fx("saturate amount=0", registry)], Frame())
            shown.append(renderer.read(target))
            live.push(target)
            count = len(shown)
            wait_for(lambda count=count: len(recorder[0].frames) >= count - 2)  # two frames in flight
    finally:
        live.release()
        renderer.release()
    sink = recorder[0]
    assert sink.opened and sink.closed and sink.size == SIZE
    assert len(sink.frames) == 4  # the last two were still in the pixel buffers
    for got, want in zip(sink.frames, shown, strict=False):
        assert np.array_equal(got, want)


def test_a_slow_sink_drops_frames_and_never_stalls_the_loop(gl_ctx, registry, recorder):
    show = build_show(registry, "clouds", None, ["saturate"], SIZE)
    renderer = Renderer(gl_ctx, SIZE, registry)
    live = LiveOutputs.for_show(renderer, show, ["record:4/0.2"])
    try:
        started = time.perf_counter()
        pushes = []
        for _ in range(20):
            target = renderer.render([parse_fx("saturate", registry)], Frame())
            t = time.perf_counter()
            live.push(target)
            pushes.append(time.perf_counter() - t)
        elapsed = time.perf_counter() - started
        wait_for(lambda: len(recorder[0].frames) >= 1)
    finally:
        live.release()
        renderer.release()
    assert max(pushes) < 0.15 and elapsed < 2.0  # 20 frames to a 5 fps receiver: no waiting
    assert live.dropped >= 10 and len(recorder[0].frames) + live.dropped <= 18
    assert recorder[0].frames[0].shape == (SIZE[1], SIZE[0], 4)


def test_a_failing_sink_is_closed_with_a_warning_and_the_rest_go_on(gl_ctx, registry, recorder, capsys):
    show = build_show(registry, "clouds", None, ["saturate"], SIZE)
    renderer = Renderer(gl_ctx, SIZE, registry)
    live = LiveOutputs.for_show(renderer, show, ["record:3", "record:3"])
    recorder[0].send = lambda frame: (_ for _ in ()).throw(OSError("device gone"))
    try:
        for _ in range(5):
            live.push(renderer.render([], Frame()))
            wait_for(lambda: len(recorder[1].frames) >= 1)
    finally:
        live.release()
        renderer.release()
    assert "--out record:3 stopped (device gone)" in capsys.readouterr().err
    assert recorder[0].closed and len(recorder[1].frames) >= 1


def test_render_out_previews_the_frames_it_writes(registry, recorder, tmp_path):
    show = build_show(registry, "clouds", None, ["rgb_split amount=sine(0,0.1)"], SIZE, 30.0)
    record(show, tmp_path / "f.png", 5, progress=False, sinks=("record:3",))
    written = [np.asarray(Image.open(tmp_path / f"f_{i:04d}.png")) for i in range(5)]
    got = recorder[0].frames
    assert 1 <= len(got) <= 5
    assert any(np.array_equal(got[0], w) for w in written)


def test_transparent_show_sends_alpha(gl_ctx, registry, recorder):
    show = build_show(registry, "clouds", None, ["saturate"], SIZE, background="transparent")
    renderer = Renderer(gl_ctx, SIZE, registry)
    live = LiveOutputs.for_show(renderer, show, ["record:4"])
    try:
        assert renderer.alpha
        renderer.upload_source(images(1)[0])
        renderer.upload_depth(np.tile(np.linspace(0, 1, SIZE[0], dtype=np.float32), (SIZE[1], 1)))
        for _ in range(3):
            live.push(renderer.render([parse_fx("depth_key cut=0.5 soft=0", registry)], Frame()))
        wait_for(lambda: len(recorder[0].frames) >= 1)
    finally:
        live.release()
        renderer.release()
    alpha = recorder[0].frames[0][..., 3]
    assert alpha[:, :8].max() == 0 and alpha[:, -8:].min() == 255


# -- the real libraries' frame paths ------------------------------------------------------------


def test_pyvirtualcam_frame_path_through_a_registered_backend(gl_ctx, registry):
    pyvirtualcam = pytest.importorskip("pyvirtualcam")
    received: list[np.ndarray] = []

    class Backend:  # pyvirtualcam's backend protocol (its real v4l2 device is not reachable here)
        def __init__(self, *, width, height, fps, fourcc, device, **kw):  # noqa: ANN001, ANN003
            self.shape = (height, width, 3)

        def send(self, frame):  # noqa: ANN001
            received.append(frame.reshape(self.shape).copy())

        def close(self):
            pass

        def device(self):
            return "test"

        def native_fourcc(self):
            return None

    pyvirtualcam.register_backend("shaderviz-test", Backend)
    show = build_show(registry, "clouds", None, ["saturate"], SIZE)
    renderer = Renderer(gl_ctx, SIZE, registry)
    live = LiveOutputs.for_show(renderer, show, ["vcam:shaderviz-test"])
    try:
        picture = images(1)[0]
        renderer.upload_source(picture)
        for _ in range(4):
            live.push(renderer.render([], Frame()))
        wait_for(lambda: len(received) >= 1)
    finally:
        live.release()
        renderer.release()
    assert np.array_equal(received[0], picture)


NDI_LOOPBACK = textwrap.dedent("""
    import sys, time, numpy as np
    from fractions import Fraction
    from cyndilib.finder import Finder
    from cyndilib.receiver import Receiver
    from cyndilib.video_frame import VideoFrameSync
    from cyndilib.wrapper import RecvBandwidth, RecvColorFormat
    from shaderviz.outputs.sinks.ndi import NdiSink

    sink = NdiSink("shaderviz-test")
    sink.open((64, 48), 30.0)
    frame = np.zeros((48, 64, 4), np.uint8)
    frame[:24] = (220, 20, 20, 255)   # top half red, bottom half blue: the receiver sees it upright
    frame[24:] = (20, 20, 220, 255)
    finder = Finder()
    finder.open()
    source = None
    for _ in range(100):
        finder.wait_for_sources(0.1)
        names = [n for n in finder.get_source_names() if "shaderviz-test" in n]
        if names:
            source = finder.get_source(names[0])
            break
    receiver = Receiver(color_format=RecvColorFormat.RGBX_RGBA, bandwidth=RecvBandwidth.highest)
    sync = VideoFrameSync()
    receiver.frame_sync.set_video_frame(sync)
    receiver.set_source(source)
    got = None
    for _ in range(200):
        sink.send(frame)
        receiver.frame_sync.capture_video()
        if sync.xres == 64 and sync.get_data_size() > 0:
            got = sync.get_array().reshape(48, 64, 4)
            break
        time.sleep(1 / 30)
    sink.close()
    print("found" if source else "no source", "frame" if got is not None else "no frame")
    if got is not None:
        print(int(got[10, 10, 0]), int(got[10, 10, 2]), int(got[40, 10, 0]), int(got[40, 10, 2]))
""")


def test_ndi_frames_reach_a_receiver_in_a_network_namespace(tmp_path):
    pytest.importorskip("cyndilib")
    if shutil.which("unshare") is None or subprocess.run(["unshare", "-n", "true"]).returncode != 0:
        pytest.skip("needs unshare -n (root) to keep NDI's traffic off the network")
    (tmp_path / "ndi-config.v1.json").write_text('{"ndi": {"networks": {"ips": "127.0.0.1"}}}')
    script = tmp_path / "ndi_loopback.py"
    script.write_text(NDI_LOOPBACK)
    env = {**os.environ, "NDI_CONFIG_DIR": str(tmp_path), "HOME": str(tmp_path)}
    result = subprocess.run(["unshare", "-n", "sh", "-c", f"ip link set lo up && {sys.executable} {script}"],
                            capture_output=True, text=True, timeout=120, env=env)
    lines = result.stdout.strip().splitlines()
    assert lines and lines[0] == "found frame", result.stdout + result.stderr
    red_r, red_b, blue_r, blue_b = (int(v) for v in lines[1].split())
    assert red_r > 180 > red_b and blue_b > 180 > blue_r  # NDI compresses: near, not exact


def test_syphon_and_spout_with_stand_ins(monkeypatch):
    published: list = []
    syphon = types.ModuleType("syphon")

    class Server:
        device = "gpu"

        def __init__(self, name: str) -> None:
            published.append(("server", name))

        def publish_frame_texture(self, texture: dict) -> None:
            published.append(("frame", texture["data"].copy()))

        def stop(self) -> None:
            published.append(("stop",))

    syphon.SyphonMetalServer = Server
    utils_numpy = types.ModuleType("syphon.utils.numpy")
    utils_numpy.copy_image_to_mtl_texture = lambda frame, texture: texture.update(data=frame)
    utils_raw = types.ModuleType("syphon.utils.raw")
    utils_raw.create_mtl_texture = lambda device, w, h: {"size": (w, h)}
    spout = types.ModuleType("SpoutGL")

    class Sender:
        def setSenderName(self, name: str) -> None:  # noqa: N802 - SpoutGL's names
            published.append(("spout", name))

        def sendImage(self, data: bytes, w: int, h: int, fmt: int, invert: bool, fbo: int) -> bool:  # noqa: N802
            published.append(("image", len(data), w, h, fmt))
            return True

        def setFrameSync(self, name: str) -> None:  # noqa: N802
            pass

        def releaseSender(self) -> None:  # noqa: N802
            published.append(("release",))

    spout.SpoutSender = Sender
    modules = {"syphon": syphon, "syphon.utils": types.ModuleType("syphon.utils"),
               "syphon.utils.numpy": utils_numpy, "syphon.utils.raw": utils_raw, "SpoutGL": spout}
    for name, module in modules.items():
        monkeypatch.setitem(sys.modules, name, module)
    frame = np.zeros((16, 24, 4), np.uint8)
    for platform, spec in (("darwin", "syphon:Show"), ("win32", "spout:Show")):
        monkeypatch.setattr(sys, "platform", platform)
        sink = sinks.make_sink(spec)
        sink.open(SIZE, 30.0)
        sink.send(frame)
        sink.close()
    assert ("server", "Show") in published and ("stop",) in published
    assert ("spout", "Show") in published and ("image", 24 * 16 * 4, 24, 16, 0x1908) in published


@pytest.mark.parametrize("spec, module, expected", [
    ("ndi:x", "cyndilib", "needs the cyndilib package: pip install 'shaderviz[ndi]'"),
    ("v4l2:/dev/video9", "pyvirtualcam", "needs the pyvirtualcam package: pip install 'shaderviz[v4l2]'"),
])
def test_a_missing_library_is_named(monkeypatch, spec, module, expected):
    for name in list(sys.modules):
        if name == module or name.startswith(module + "."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, module, None)  # import fails as if not installed
    if module == "cyndilib":
        for sub in ("cyndilib.sender", "cyndilib.video_frame", "cyndilib.wrapper.ndi_structs"):
            monkeypatch.setitem(sys.modules, sub, None)
    with pytest.raises(UserError, match=expected.replace("[", r"\[").replace("]", r"\]")):
        sinks.make_sink(spec).open(SIZE, 30.0)


def test_wrong_platform_and_missing_device_are_one_line(tmp_path):
    cases = (("syphon:x", "Syphon is macOS only"), ("spout:x", "Spout is Windows only"),
             ("v4l2:/dev/video63", "/dev/video63 does not exist"), ("rtmp:x", "expected one of"))
    for spec, expected in cases:
        line = one_line_error(shaderviz("render", "--fx", "saturate", "--frames", "1", "--out", spec,
                                        "-o", str(tmp_path / "x.png"), "--quiet"))
        assert expected in line
    assert list(tmp_path.iterdir()) == []


def test_sink_thread_is_gone_after_release(gl_ctx, registry, recorder):
    show = build_show(registry, "clouds", None, ["saturate"], SIZE)
    renderer = Renderer(gl_ctx, SIZE, registry)
    before = threading.active_count()
    live = LiveOutputs.for_show(renderer, show, ["record:3"])
    live.release()
    renderer.release()
    assert threading.active_count() == before


# -- the real window: a sink plugin (an entry point) gets play's frames ------------------------

PLUGIN = '''
import numpy as np


class RecordSink:
    channels = 3

    def __init__(self, target):
        self.spec, self.path = "record:" + target, target

    def open(self, size, fps):
        self.log = open(self.path, "a")

    def send(self, frame):
        r, g, b = (int(v) for v in frame.reshape(-1, 3).mean(axis=0))
        self.log.write(f"{frame.shape[1]}x{frame.shape[0]} {r} {g} {b} {int(frame[0, 0, 0])}\\n")
        self.log.flush()

    def close(self):
        self.log.close()
'''


def test_play_sends_its_frames_to_a_sink_plugin(tmp_path, monkeypatch, display, play):  # noqa: F811
    plugins = tmp_path / "plugins"
    (plugins / "recsink-1.0.dist-info").mkdir(parents=True)
    (plugins / "recsink.py").write_text(PLUGIN)
    metadata = "Metadata-Version: 2.1\nName: recsink\nVersion: 1.0\n"
    (plugins / "recsink-1.0.dist-info" / "METADATA").write_text(metadata)
    (plugins / "recsink-1.0.dist-info" / "entry_points.txt").write_text(
        "[shaderviz.sinks]\nrecord = recsink:RecordSink\n")
    monkeypatch.setenv("PYTHONPATH", str(plugins))
    image = np.zeros((60, 80, 3), np.uint8)
    image[:30] = (250, 10, 10)  # top half red: a sink that got the frame upside down sees blue first
    image[30:] = (10, 10, 250)
    Image.fromarray(image).save(tmp_path / "halves.png")
    log = tmp_path / "frames.txt"
    player = play(str(tmp_path / "halves.png"), "--fx", "saturate amount=0", "--out", f"record:{log}")
    wait_for(lambda: log.exists() and len(log.read_text().splitlines()) >= 5, 30)
    player.close()
    lines = log.read_text().splitlines()
    size, r, g, b, corner = lines[-1].split()
    assert size == "80x60" and abs(int(r) - 130) <= 4 and abs(int(b) - 130) <= 4
    assert int(corner) >= 240  # the top-left pixel is red: rows arrive top first
