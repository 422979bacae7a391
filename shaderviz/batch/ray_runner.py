"""``render FOLDER -o DIR --ray [ADDRESS|auto]``: the batch as Ray tasks, one per loop.

No address starts a local Ray (no dashboard, usage stats off); ``auto`` joins the cluster
this machine belongs to; ``ray://host:10001`` connects as a client. Every node needs
shaderviz installed (``pip install 'shaderviz[ray]'``). A task gets the image's bytes and
those of the files the options name (``--depth``, ``--preset``, ``--effects-dir``), so
nodes need no shared filesystem; where a node sees the very same file at the same path
(one machine, or a shared disk) it renders from that path, so its PNG recipes match a
local render. Each task returns the finished output's bytes; this process writes them
(temporary name, then rename). Where the cluster has GPUs, each task asks for half of one
and renders on it (EGL device from Ray's GPU id).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from shaderviz.batch.plan import Batch, Item, Result, ShowArgs, render_item
from shaderviz.errors import UserError

MAX_SHIPPED_BYTES = 256 << 20  # effect folders and inputs sent along with each task
GPU_SHARE = 0.5


def _file(path: Path) -> dict[str, Any]:
    data = path.read_bytes()
    return {"path": str(path.resolve()), "data": data, "sha": hashlib.sha256(data).hexdigest()}


def _folder(path: Path) -> dict[str, Any]:
    files, total = {}, 0
    for item in sorted(p for p in path.rglob("*") if p.is_file()):
        total += item.stat().st_size
        if total > MAX_SHIPPED_BYTES:
            raise UserError(f"--effects-dir {path}: more than {MAX_SHIPPED_BYTES >> 20} MB to send to "
                            "Ray nodes")
        files[str(item.relative_to(path))] = item.read_bytes()
    return {"path": str(path.resolve()), "files": files}


def _payload(batch: Batch) -> dict[str, Any]:
    """What every task needs besides its image: the files the options name."""
    show = batch.show
    payload: dict[str, Any] = {"effects": [_folder(Path(d)) for d in show.effects_dirs]}
    for key in ("depth", "preset"):
        value = getattr(show, key)
        if value and Path(value).expanduser().is_file():
            payload[key] = _file(Path(value).expanduser())
    return payload


def _local(entry: dict[str, Any], scratch: Path, name: str) -> str:
    """The path to use on this node: the original if it holds the same bytes, else a copy."""
    original = Path(entry["path"])
    try:
        if original.is_file() and hashlib.sha256(original.read_bytes()).hexdigest() == entry["sha"]:
            return str(original)
    except OSError:
        pass
    copy = scratch / name / original.name
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_bytes(entry["data"])
    return str(copy)


def _local_folder(entry: dict[str, Any], scratch: Path, index: int) -> Path:
    original = Path(entry["path"])
    files = entry["files"]
    same = original.is_dir() and all((original / rel).is_file() and (original / rel).read_bytes() == data
                                     for rel, data in files.items())
    if same:
        return original
    copy = scratch / f"effects{index}"
    for rel, data in entry["files"].items():
        (copy / rel).parent.mkdir(parents=True, exist_ok=True)
        (copy / rel).write_bytes(data)
    return copy


def run_task(show: ShowArgs, options: Any, item: Item, image: dict[str, Any], payload: dict[str, Any]
             ) -> tuple[Result, dict[str, bytes] | bytes | None]:
    """On a Ray worker: render one item in a scratch folder; its result and output bytes."""
    try:
        import ray

        gpus = ray.get_gpu_ids()
        if gpus:
            os.environ["SHADERVIZ_EGL_DEVICE"] = str(int(gpus[0]))
    except Exception:  # noqa: BLE001, S110 - not inside Ray (tests call this directly)
        pass
    with tempfile.TemporaryDirectory(prefix="shaderviz-ray-") as tmp:
        scratch = Path(tmp)
        local_show = replace(
            show,
            effects_dirs=tuple(_local_folder(e, scratch, i) for i, e in enumerate(payload["effects"])),
            depth=_local(payload["depth"], scratch, "depth") if "depth" in payload else show.depth,
            preset=_local(payload["preset"], scratch, "preset") if "preset" in payload else show.preset,
        )
        local_image = Path(_local(image, scratch, "image"))
        out = scratch / "out" / item.output.name
        out.parent.mkdir()
        result = render_item(local_show, replace(options, output=out), Item(local_image, out))
        result = Result(item, result.status, result.message.replace(str(out), str(item.output))
                        .replace(str(local_image), str(item.image)), result.seconds)
        if result.status != "written":
            return result, None
        if out.is_dir():
            return result, {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
                            if p.is_file()}
        return result, out.read_bytes()


def _write(output: Path, data: dict[str, bytes] | bytes) -> None:
    """Put a task's output in place whole: a temporary name beside it, then rename."""
    if isinstance(data, bytes):
        partial = output.with_name(f".{output.name}.partial")
        partial.write_bytes(data)
        os.replace(partial, output)
        return
    staging = output.with_name(f".{output.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    for rel, blob in data.items():
        (staging / rel).parent.mkdir(parents=True, exist_ok=True)
        (staging / rel).write_bytes(blob)
    if output.exists():
        shutil.rmtree(output)
    os.replace(staging, output)


def _connect(address: str) -> Any:
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no usage reports from our runs
    os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "error")  # keep Ray's start-up chatter off the terminal
    try:
        import ray
    except ImportError:
        raise UserError("--ray needs Ray: pip install 'shaderviz[ray]'") from None
    try:
        if address == "local":
            ray.init(include_dashboard=False, log_to_driver=False, configure_logging=False)
        else:
            ray.init(address=address, log_to_driver=False, configure_logging=False)
    except Exception as err:  # noqa: BLE001 - ConnectionError, ValueError, RuntimeError ...
        lines = str(err).strip().splitlines()
        why = lines[0] if lines else type(err).__name__
        raise UserError(f"--ray {address}: cannot start or reach Ray ({why})") from None
    return ray


def run_ray(batch: Batch, address: str, report: Any) -> str:
    """Render the pending items on Ray; report each result; a summary of where it ran."""
    todo = batch.pending()
    for result in batch.results:
        report(result)
    if not todo:
        return "Ray: nothing to do"
    ray = _connect(address)
    try:
        resources = ray.cluster_resources()
        gpus = resources.get("GPU", 0) > 0
        task = ray.remote(num_cpus=1, num_gpus=GPU_SHARE if gpus else 0, max_retries=0)(run_task)
        payload = ray.put(_payload(batch))
        show = ray.put(batch.show)
        pending = {}
        for item in todo:
            ref = task.remote(show, batch.options, item, _file(item.image), payload)
            pending[ref] = (item, time.perf_counter())
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            item, started = pending.pop(done[0])
            try:
                result, data = ray.get(done[0])
                if data is not None:
                    _write(item.output, data)
            except Exception as err:  # noqa: BLE001 - a task or node that failed: this item only
                why = " ".join(str(err).split())[:300] or type(err).__name__
                result = Result(item, "failed", f"{item.image.name}: Ray task failed ({why})",
                                time.perf_counter() - started)
            batch.results.append(result)
            report(result)
        nodes = len([n for n in ray.nodes() if n.get("Alive")])
        where = f"Ray, {nodes} node{'s' if nodes != 1 else ''}, {int(resources.get('CPU', 0))} CPUs"
        return where + (f", {int(resources['GPU'])} GPUs" if gpus else "")
    finally:
        ray.shutdown()
