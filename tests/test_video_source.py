"""Video frames fitted to the render size: ffmpeg scales them as it decodes."""

from __future__ import annotations

from pathlib import Path

import imageio.v2 as iio
import numpy as np
import pytest
from PIL import Image

from shaderviz.render.images import GLImage
from shaderviz.render.renderer import Frame, Renderer
from shaderviz.sources.images import fit_image
from shaderviz.sources.video import VideoFile

W, H, FRAMES = 160, 96, 6


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[np.ndarray]]:
    """Smooth gradients that move per frame (scaling filters agree on them closely)."""
    path = tmp_path_factory.mktemp("video") / "clip.mp4"
    y, x = np.mgrid[0:H, 0:W].astype(np.float32)
    frames = []
    for i in range(FRAMES):
        frame = np.stack([x / W * 255, y / H * 255, (x + y + 8 * i) % 128 + 64], -1)
        frames.append(frame.astype(np.uint8))
    iio.mimwrite(path, frames, fps=10, codec="libx264", quality=10, macro_block_size=16,
                 output_params=["-pix_fmt", "yuv444p"])
    return path, frames


def decoded_native(path: Path, index: int) -> np.ndarray:
    reader = iio.get_reader(str(path), format="FFMPEG")
    try:
        return np.asarray(reader.get_data(index))[:, :, :3]
    finally:
        reader.close()


@pytest.mark.parametrize("size, fit", [((80, 48), "fill"), ((64, 64), "fill"), ((64, 64), "fit"),
                                       ((100, 30), "stretch"), ((W, H), "fill")])
def test_frames_are_fitted_like_pictures_and_scaled_by_the_decoder(video, size, fit) -> None:
    path, _ = video
    clip = VideoFile(path)
    try:
        got = clip.frame(3, size, fit)
        # ffmpeg decodes at the fitted size (no Pillow resize), or at the native one if it fits
        assert (clip._scaled_to is None) == (size == (W, H))
    finally:
        clip.close()
    reference = np.asarray(fit_image(Image.fromarray(decoded_native(path, 3)), size, fit))
    assert got.shape == reference.shape == (size[1], size[0], 3) and got.dtype == np.uint8
    difference = np.abs(got.astype(int) - reference.astype(int))
    assert difference.mean() < 3 and np.percentile(difference, 99) < 24  # bicubic vs bicubic
    if fit == "fit":  # letterboxed: black bars above and below
        assert got[:4].max() == 0 and got[-4:].max() == 0 and got[size[1] // 2].mean() > 40


def test_frames_follow_the_index_and_wrap(video) -> None:
    path, frames = video
    small = [np.asarray(Image.fromarray(f).resize((80, 48), Image.BICUBIC)).astype(int) for f in frames]
    clip = VideoFile(path)
    try:
        for index in (0, 4, 2, FRAMES + 1):  # forwards, back (a reopen), past the end
            got = clip.frame(index, (80, 48), "stretch").astype(int)
            errors = [np.abs(got - f).mean() for f in small]
            assert int(np.argmin(errors)) == index % FRAMES and errors[index % FRAMES] < 4
    finally:
        clip.close()


def _decoder_starts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts ffmpeg processes started to decode (opening a reader, or imageio seeking)."""
    import imageio_ffmpeg

    starts: list[int] = []
    read_frames = imageio_ffmpeg.read_frames

    def counted(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        starts.append(1)
        return read_frames(*args, **kwargs)

    monkeypatch.setattr(imageio_ffmpeg, "read_frames", counted)
    return starts


@pytest.mark.parametrize("size", [(W, H), (80, 48)])
def test_playing_on_loops_in_one_decoder(video, size, monkeypatch: pytest.MonkeyPatch) -> None:
    """A live show plays a video round and round: past the last frame it reads on in the
    stream ffmpeg loops itself, with no new decoder at each wrap (that cost ~60 ms of CPU at
    once), and every pass has the first pass's frames."""
    path, _ = video
    clip = VideoFile(path)
    try:
        first = [clip.frame(i, size, "stretch").copy() for i in range(FRAMES)]
        starts = _decoder_starts(monkeypatch)
        for index in range(FRAMES, 3 * FRAMES + 2):
            assert np.array_equal(clip.frame(index, size, "stretch"), first[index % FRAMES]), index
        assert starts == [] and clip._looping
    finally:
        clip.close()


def test_a_new_decode_size_checks_its_loops_against_its_own_frame_0(video) -> None:
    path, _ = video
    clip = VideoFile(path)
    try:
        native = [clip.frame(i, (W, H), "stretch").copy() for i in range(FRAMES)]
        for index in range(FRAMES + 2, 4 * FRAMES):  # then the show is resized mid-loop
            got = clip.frame(index, (80, 48), "stretch")
        assert clip._looping  # the wrap compared frame 0 with frame 0 at this size
        back = [clip.frame(i, (W, H), "stretch") for i in range(4 * FRAMES, 6 * FRAMES)]
        assert clip._looping and all(np.array_equal(b, native[i % FRAMES]) for i, b in enumerate(back))
        assert got.shape == (48, 80, 3)
    finally:
        clip.close()


def test_a_video_that_does_not_loop_exactly_is_reopened_at_each_wrap(
    video, monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, _ = video
    clip = VideoFile(path)
    try:
        first = [clip.frame(i, (80, 48), "stretch").copy() for i in range(FRAMES)]
        clip._first = b"not frame 0"  # as if the looped stream had come round off by a frame
        starts = _decoder_starts(monkeypatch)
        for index in range(FRAMES, 3 * FRAMES):
            assert np.array_equal(clip.frame(index, (80, 48), "stretch"), first[index % FRAMES]), index
        assert not clip._looping and len(starts) == 2  # reopened without the loop, then a seek per wrap
    finally:
        clip.close()


def test_gl_images_are_bottom_row_first_with_their_own_channels() -> None:
    rgb = np.random.default_rng(0).integers(0, 256, (5, 7, 3), dtype=np.uint8)
    data = GLImage.from_rgb(rgb).data
    assert data.shape == (5, 7, 3) and data.flags["C_CONTIGUOUS"]
    np.testing.assert_array_equal(data, rgb[::-1])
    rgba = np.random.default_rng(1).integers(0, 256, (5, 7, 4), dtype=np.uint8)
    np.testing.assert_array_equal(GLImage.from_rgb(rgba).data, rgba[::-1])


def test_rgb_and_rgba_sources_upload_as_they_are(gl_ctx, registry) -> None:  # noqa: ANN001
    """An RGB frame goes into an RGB texture (no conversion on the CPU), an RGBA one into
    RGBA: the picture is the same either way, alternating included."""
    rng = np.random.default_rng(2)
    rgb = rng.integers(0, 256, (6, 10, 3), dtype=np.uint8)
    rgba = np.dstack([rgb, rng.integers(0, 256, (6, 10), dtype=np.uint8)])
    renderer = Renderer(gl_ctx, (10, 6), registry)
    try:
        for image in (rgb, rgba, GLImage.from_rgb(rgb)):
            renderer.upload_source(image)
            channels = image.data.shape[2] if isinstance(image, GLImage) else image.shape[2]
            assert renderer.source.texture.components == channels
            np.testing.assert_array_equal(renderer.read(renderer.render([], Frame())), rgb)
            renderer.upload_native(image)
            renderer.upload_generated(image)
    finally:
        renderer.release()
