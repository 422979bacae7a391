"""Data-parallel training across processes with ``torch.distributed``, shared by trainers.

Under ``torchrun`` (which sets RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR/PORT) every
process trains a full replica on its own batches; after each backward pass the
gradients are averaged over all processes with one ``all_reduce`` of a flat buffer, so
the replicas take identical optimiser steps and stay identical. This is what PyTorch's
``DistributedDataParallel`` wrapper does, done by hand so that double backward (the R1
penalty) works — the wrapper does not support ``torch.autograd.grad`` (StyleGAN3 does
the same). Backend: NCCL on CUDA, gloo on CPU. Only rank 0 writes files and prints.

Without torchrun (WORLD_SIZE unset or 1) everything here is a no-op.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class Context:
    rank: int = 0
    world: int = 1
    device: torch.device = torch.device("cpu")

    @property
    def main(self) -> bool:
        return self.rank == 0

    @property
    def active(self) -> bool:
        return self.world > 1


def pick_device(preference: str, local_rank: int = 0) -> torch.device:
    """``auto`` (CUDA when present), ``cpu`` or ``cuda``; ValueError if CUDA is asked for and absent."""
    if preference == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda: no CUDA device is available (use --device cpu)")
    if preference in ("auto", "cuda") and torch.cuda.is_available():
        return torch.device("cuda", local_rank % torch.cuda.device_count())
    return torch.device("cpu")


def setup(preference: str = "auto") -> Context:
    """Join the process group when launched by torchrun; else a single-process context."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    device = pick_device(preference, local_rank)
    if world <= 1:
        return Context(device=device)
    if not dist.is_initialized():
        backend = "nccl" if device.type == "cuda" else "gloo"
        if device.type == "cuda":
            torch.cuda.set_device(device)
        dist.init_process_group(backend)
    return Context(rank=dist.get_rank(), world=dist.get_world_size(), device=device)


def shutdown(ctx: Context, finished: bool = False) -> None:
    """Leave the process group. ``finished``: every process got here normally, so wait for
    the others first — a process that tears gloo down while rank 0 is still writing its
    checkpoint makes the peer's connection thread abort (SIGABRT, "terminate called
    without an active exception"). After an error nobody waits: the others may never come.
    """
    if ctx.active and dist.is_initialized():
        if finished:
            dist.barrier()
        dist.destroy_process_group()


def broadcast_module(ctx: Context, *modules: torch.nn.Module) -> None:
    """Make every replica start from rank 0's parameters and buffers."""
    if not ctx.active:
        return
    for module in modules:
        for tensor in [*module.parameters(), *module.buffers()]:
            dist.broadcast(tensor.data, src=0)


def average_gradients(ctx: Context, parameters: Iterable[torch.nn.Parameter]) -> None:
    """Average ``.grad`` over all processes (one all_reduce of a flattened buffer)."""
    if not ctx.active:
        return
    params = [p for p in parameters if p.grad is not None]
    if not params:
        return
    flat = torch.cat([p.grad.reshape(-1) for p in params])
    dist.all_reduce(flat)
    flat /= ctx.world
    offset = 0
    for p in params:
        count = p.grad.numel()
        p.grad.copy_(flat[offset : offset + count].view_as(p.grad))
        offset += count


def any_true(ctx: Context, flag: bool) -> bool:
    """True on every process if ``flag`` is true on any (a shared decision to stop)."""
    if not ctx.active:
        return flag
    value = torch.tensor([1.0 if flag else 0.0], device=ctx.device)
    dist.all_reduce(value)
    return bool(value.item() > 0)


def mean_scalars(ctx: Context, values: dict[str, float]) -> dict[str, float]:
    """Losses averaged over processes, for the progress bar and the log."""
    if not ctx.active or not values:
        return values
    keys = sorted(values)
    tensor = torch.tensor([values[k] for k in keys], device=ctx.device, dtype=torch.float64)
    dist.all_reduce(tensor)
    return {k: float(v) / ctx.world for k, v in zip(keys, tensor.tolist(), strict=True)}
