"""Writers, recipes and the render clock, in-process (the CLI end to end is in test_cli.py)."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from shaderviz.app.show import build_show
from shaderviz.errors import UserError
from shaderviz.outputs import writers
from shaderviz.outputs.snapshot import recipe_text, save_snapshot
from shaderviz.outputs.writers import PngWriter, open_writer, output_error
from shaderviz.render.renderer import Frame

SIZE = (16, 12)
OUTPUTS = ["x.png", "seq_%03d.png", "frames", "x.mp4", "x.webm", "x.gif"]


def frame(value: int) -> np.ndarray:
    return np.full((SIZE[1], SIZE[0], 3), value, np.uint8)


def write_all(path: Path, count: int, text=None) -> None:  # noqa: ANN001
    writer = open_writer(path, count, SIZE, 10.0, 8.0, text)
    for i in range(count):
        writer.write(frame(20 * i))
    writer.finish()


# -- OS errors: one line naming the output and the reason; abort never raises -------------


def test_os_error_names_the_output_and_the_reason() -> None:
    erofs = OSError(errno.EROFS, os.strerror(errno.EROFS), "out/.x.partial.mp4")
    err = output_error(Path("out/x.mp4"), erofs)
    assert str(err) == "out/x.mp4: cannot write (Read-only file system)"
    pipe = OSError("[Errno 32] Broken pipe\n\nFFMPEG COMMAND:\nffmpeg -y ...")
    assert str(output_error(Path("x.mp4"), pipe)) == "x.mp4: cannot write ([Errno 32] Broken pipe)"


@pytest.mark.parametrize("name", OUTPUTS)
def test_read_only_folder_is_a_user_error_before_any_frame(tmp_path, monkeypatch, name) -> None:
    """As root, chmod does not stop writes: make creating anything fail as on a read-only mount."""

    def read_only(*args, **kwargs):  # noqa: ANN002, ANN003
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(args[0]))

    monkeypatch.setattr(os, "open", read_only)
    monkeypatch.setattr(os, "mkdir", read_only)
    out = tmp_path / name
    with pytest.raises(UserError, match=r"cannot write \(Read-only file system\)") as info:
        open_writer(out, 3, SIZE, 10.0, 8.0)
    assert str(info.value).startswith(str(out))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", OUTPUTS)
def test_failure_while_writing_is_a_user_error_and_abort_cleans_up(tmp_path, monkeypatch, name) -> None:
    out = tmp_path / name
    writer = open_writer(out, 3, SIZE, 10.0, 8.0)
    writer.write(frame(0))

    def disk_full(*args, **kwargs):  # noqa: ANN002, ANN003
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Image.Image, "save", disk_full)
    if name.endswith((".mp4", ".webm")):  # ffmpeg died (out of memory, killed ...)
        writer.writer._pipe.proc.kill()
        writer.writer._pipe.proc.wait()
    if name.endswith(".gif"):  # the staged frames hit a full disk
        monkeypatch.setattr(writer.writer, "_file", _Full())
    with pytest.raises(UserError, match=r": cannot write \(") as info:
        writer.write(frame(1))
        writer.finish()
    assert str(info.value).startswith(f"{out}: ") and "\n" not in str(info.value)
    monkeypatch.undo()
    writer.abort()
    assert list(tmp_path.iterdir()) == []


class _Full:
    """A file on a full disk."""

    def write(self, data: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def close(self) -> None:
        pass


@pytest.mark.parametrize("name", OUTPUTS)
def test_abort_never_raises(tmp_path, monkeypatch, name) -> None:
    writer = open_writer(tmp_path / name, 3, SIZE, 10.0, 8.0)
    writer.write(frame(0))

    def gone(*args, **kwargs):  # noqa: ANN002, ANN003
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR))

    monkeypatch.setattr(Path, "unlink", gone)
    monkeypatch.setattr(writers.shutil, "rmtree", gone)
    writer.abort()  # nothing to assert but that it returns


# -- folders: temporaries on the filesystem of the final files; stale frames -------------


def test_existing_folder_that_is_a_mount_point(tmp_path, monkeypatch) -> None:
    """A rename from outside the folder into it fails with EXDEV, as for a mount point."""
    folder = tmp_path / "mnt"
    folder.mkdir()
    real_replace = os.replace

    def replace(src, dst):  # noqa: ANN001
        inside = [Path(p).resolve().is_relative_to(folder) for p in (src, dst)]
        if inside[0] != inside[1]:
            raise OSError(errno.EXDEV, os.strerror(errno.EXDEV), str(src), None, str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    write_all(folder, 3)
    assert sorted(p.name for p in folder.iterdir()) == ["frame_0000.png", "frame_0001.png", "frame_0002.png"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mnt"]


def test_rename_across_filesystems_falls_back_to_a_copy(tmp_path, monkeypatch) -> None:
    """Any EXDEV on a finished frame: copy it beside its final name, then rename (atomic)."""
    folder = tmp_path / "frames"
    folder.mkdir()
    real_replace = os.replace

    def replace(src, dst):  # noqa: ANN001
        if ".shaderviz.partial" in str(src) or str(src).endswith(".partial.gif"):
            raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    write_all(folder, 2)
    write_all(tmp_path / "x.gif", 2)
    assert sorted(p.name for p in folder.iterdir()) == ["frame_0000.png", "frame_0001.png"]
    assert pixels(folder / "frame_0001.png").max() == 20
    with Image.open(tmp_path / "x.gif") as gif:
        assert gif.n_frames == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["frames", "x.gif"]


def test_new_folder_appears_whole(tmp_path) -> None:
    write_all(tmp_path / "new", 2)
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == ["frame_0000.png", "frame_0001.png"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new"]


def test_stale_frames_of_the_same_pattern_only(tmp_path) -> None:
    write_all(tmp_path / "a_%d.png", 12)
    write_all(tmp_path / "b.png", 3)  # b_0000.png ...
    keep = ["a_01.png", "a_x.png", "a_11.png.bak", "b_12.png", "c_5.png", "a_%d.png"]
    for name in keep:
        (tmp_path / name).write_text("not ours")
    write_all(tmp_path / "a_%d.png", 2)
    write_all(tmp_path / "b.png", 2)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(["a_0.png", "a_1.png", "b_0000.png", "b_0001.png", *keep])


def test_bad_pattern_is_a_user_error(tmp_path) -> None:
    for name in ("x_%d_%d.png", "x_%%.png", "x_%q.png"):
        with pytest.raises(UserError, match="one %d-style field"):
            PngWriter(tmp_path / name, 3, lambda i: {})
    assert list(tmp_path.iterdir()) == []


# -- recipes and the render clock -------------------------------------------------------


def test_every_png_frame_carries_its_own_recipe(tmp_path) -> None:
    def text(number: int) -> dict[str, str]:
        return recipe_text({"frame": number})

    write_all(tmp_path / "f_%d.png", 3, text)
    write_all(tmp_path / "one.png", 1, text)
    for i in range(3):
        assert json.loads(Image.open(tmp_path / f"f_{i}.png").info["shaderviz:recipe"]) == {"frame": i}
    assert json.loads(Image.open(tmp_path / "one.png").info["shaderviz:recipe"]) == {"frame": 0}


def test_show_clock_from_a_recipe_time(registry, tmp_path) -> None:
    show = build_show(registry, "clouds", None, ["saturate"], (16, 12), 12.0, 2.0, 5)
    assert show.start_time is None and show.frame(30) == Frame(30, 30 / 12, 6 / 24, 5)
    # A recipe written by render: a whole frame, the same frames as a render from 0.
    path = save_snapshot(tmp_path / "r.png", frame(0), show.recipe(show.frame(30)))
    again = build_show(registry, None, str(path))
    assert again.start_time == 30 / 12
    assert [again.frame(i) for i in (0, 20)] == [show.frame(30), show.frame(50)]
    assert [again.loop_number(i) for i in (0, 17, 18)] == [1, 1, 2]
    # A snapshot of play: wall-clock seconds between frames, the phase as play has it.
    path = save_snapshot(tmp_path / "p.png", frame(0), show.recipe(show.frame_at(1.37, 412)))
    snap = build_show(registry, None, str(path))
    assert snap.frame(0) == show.frame_at(1.37, 0)
    assert snap.frame(3).time == pytest.approx(1.37 + 3 / 12)
    assert snap.frame(3).phase == pytest.approx((1.37 + 3 / 12) / 2)
    assert [snap.loop_number(i) for i in (0, 7, 8)] == [0, 0, 1]


def test_damaged_recipe_time_is_a_user_error(registry, tmp_path) -> None:
    show = build_show(registry, "clouds", None, ["saturate"], (16, 12))
    recipe = show.recipe(show.frame(0))
    for time in ("soon", -1, None):
        path = save_snapshot(tmp_path / "bad.png", frame(0), {**recipe, "time": time})
        with pytest.raises(UserError, match="recipe is damaged"):
            build_show(registry, None, str(path))


def pixels(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB")).astype(int)
