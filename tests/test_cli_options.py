"""Command-line option values: the same limits as presets, one-line errors, exit 2."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

ENV = {**os.environ, "XDG_CONFIG_HOME": "/nonexistent-shaderviz-test"}


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        (["--seconds", "nan"], "--seconds: must be a positive number, got nan"),
        (["--seconds", "inf"], "--seconds: must be a positive number, got inf"),
        (["--seconds", "99999"], "--seconds: 99999 is more than 3600"),
        (["--fps", "1e9"], "--fps: 1e9 is more than 240"),
        (["--fps", "0"], "--fps: must be a positive number"),
        (["--frames", "0"], "--frames: must be a positive number"),
        (["--fps", "fast"], "--fps: expected a number"),
    ],
)
def test_bad_numbers_are_one_line_and_exit_2(tmp_path, option, expected) -> None:  # noqa: ANN001
    out = tmp_path / "x.png"
    result = subprocess.run([sys.executable, "-m", "shaderviz", "render", "-o", str(out), *option],
                            capture_output=True, text=True, timeout=60, env=ENV)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert list(tmp_path.iterdir()) == []  # hidden temporaries included
