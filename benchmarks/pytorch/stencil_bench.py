#!/usr/bin/env python3
"""PyTorch side of the PDE-stencil benchmarks: periodic 2nd-order Laplacians, float32, the cases of
tools/gpu/SciKernels.GpuCheck/DeviceBench.cs (`lap2d_f`, `lap2d_fb`, `lap3d_f`, `lap3d_fb`).

  lap2d: u [8, 1024, 1024] (batch, y, x), 5-point, h = 1/1024 on both axes:
         (roll(u, 1, y) + roll(u, -1, y) + roll(u, 1, x) + roll(u, -1, x) - 4u) / h^2
  lap3d: u [2, 128, 128, 128] (batch, z, y, x), 7-point, h = 1/128 on all axes.
  *_f: forward only, under torch.no_grad().  *_fb: forward, then y.backward(g) with a fixed random
  upstream gradient g; u requires grad and u.grad is set to None after every call.
Work = batch x points per call, reported in Mpt/s.

Two ways to write it, both as a PyTorch user would: torch.roll (shifted copies, summed) and a
single-channel F.conv2d/conv3d with the stencil as a 3x3 / 3x3x3 kernel after F.pad(mode="circular").
--method auto (default) uses the faster one per device and case:
  * cpu: torch.roll for all four cases (CPU_METHOD). Measured 2026-12-04 (Debian torch 1.13, 2 threads,
    2-vCPU AMD EPYC, load 10-90), ms per call roll vs conv: lap2d_f 48 vs 149, lap2d_fb 185 vs 1069,
    lap3d_f 6.3 vs 43, lap3d_fb 35 vs 629 -- the one-channel CPU convolutions are 3-18x slower, so
    the CPU choice is fixed rather than re-measured every run.
  * cuda: not measurable here, so it is chosen at start-up: a short untimed trial of both
    (3 warm-up + 5 synchronised calls each, median) and the faster one is timed; the JSON names it
    in each case's "method".
Timing protocol as bench.py: >= `warmup` calls and >= 1 s of warm-up, then `repeats` samples of
`inner` calls, median per call. Run through run.sh: SK_TORCH_SCRIPT=stencil_bench.py run.sh [--json].
--device cuda runs the same cases on the GPU (every timed call ends with torch.cuda.synchronize(),
--threads is ignored, TF32 off); tools/gpu/run.sh drives it that way.
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F
from bench_device import setup_device, device_info, median_ms  # shared by the PyTorch benchmark scripts

WARMUP_SECONDS = 1.0

# name, warmup, repeats, inner, work, unit  (keep in sync with DeviceBench.Cases)
CASES = [
    ("lap2d_f", 3, 11, 3, 8.0 * 1024 * 1024, "Mpt/s"),
    ("lap2d_fb", 3, 11, 3, 8.0 * 1024 * 1024, "Mpt/s"),
    ("lap3d_f", 3, 11, 3, 2.0 * 128 * 128 * 128, "Mpt/s"),
    ("lap3d_fb", 3, 11, 3, 2.0 * 128 * 128 * 128, "Mpt/s"),
]
SHAPES = {"lap2d": (8, 1024, 1024), "lap3d": (2, 128, 128, 128)}
# --method auto on the CPU (measured, see the header): roll beats the circular-padded convolution.
CPU_METHOD = {"lap2d_f": "roll", "lap2d_fb": "roll", "lap3d_f": "roll", "lap3d_fb": "roll"}


def lap_roll(u, h):
    """Periodic Laplacian over every axis but the first (batch); spacing h on all of them.
    The shifted copies are summed in place (fewer temporaries and passes than one
    `(roll + roll + ... - 2d*u) / h**2` expression: forward 2x faster on the CPU here, fb ~10 %);
    autograd allows it, as add_/sub_/mul_ by a scalar save nothing for backward."""
    acc = None
    for d in range(1, u.dim()):
        for shift in (1, -1):
            r = torch.roll(u, shift, d)
            acc = r if acc is None else acc.add_(r)
    return acc.sub_(u, alpha=2 * (u.dim() - 1)).mul_(1.0 / (h * h))


def stencil_kernel(spatial, h, device):
    """The 5- or 7-point stencil as a [1, 1, 3, ..., 3] float32 convolution kernel (already / h^2)."""
    k = torch.zeros((3,) * spatial, dtype=torch.float32)
    centre = (1,) * spatial
    k[centre] = -2.0 * spatial
    for d in range(spatial):
        for off in (0, 2):
            idx = list(centre)
            idx[d] = off
            k[tuple(idx)] = 1.0
    return (k / (h * h)).reshape((1, 1) + (3,) * spatial).to(device)


def make_lap_conv(spatial, h, device):
    k = stencil_kernel(spatial, h, device)
    conv = F.conv2d if spatial == 2 else F.conv3d

    def lap_conv(u):
        x = F.pad(u.unsqueeze(1), (1, 1) * spatial, mode="circular")
        return conv(x, k).squeeze(1)
    return lap_conv


def make(name, method, dev):
    """The call for one case with one method ("roll" or "conv")."""
    shape = SHAPES[name.split("_")[0]]
    spatial = len(shape) - 1
    h = 1.0 / shape[-1]
    # Fixed data: seeded CPU generator, then moved to dev (the same values on cpu and cuda).
    g = torch.Generator().manual_seed(7)
    u = torch.randn(shape, generator=g).to(dev)
    gy = torch.randn(shape, generator=g).to(dev)
    lap = (lambda v: lap_roll(v, h)) if method == "roll" else make_lap_conv(spatial, h, dev)
    if name.endswith("_f"):
        def call():
            with torch.no_grad():
                lap(u)
        return call
    u.requires_grad_()

    def call():
        lap(u).backward(gy)
        u.grad = None
    return call


def check_methods_agree(dev):
    """Both ways give the same Laplacian and gradient (small shapes; float32 tolerance)."""
    g = torch.Generator().manual_seed(3)
    for shape in ((2, 16, 24), (2, 8, 12, 10)):
        h = 1.0 / shape[-1]
        u = torch.randn(shape, generator=g).to(dev).requires_grad_()
        gy = torch.randn(shape, generator=g).to(dev)
        a = lap_roll(u, h)
        (ga,) = torch.autograd.grad(a, u, gy)
        b = make_lap_conv(len(shape) - 1, h, dev)(u)
        (gb,) = torch.autograd.grad(b, u, gy)
        scale = 1.0 / (h * h)
        for x, y in ((a, b), (ga, gb)):
            err = (x - y).abs().max().item() / scale
            if err > 1e-4:
                sys.exit(f"stencil_bench.py: roll and conv Laplacians disagree on {tuple(shape)}: {err:g}")


def trial_ms(call, sync=None):
    """Short untimed trial for --method auto on cuda: 3 warm-up calls, median of 5 synchronised calls."""
    for _ in range(3):
        call()
    if sync is not None:
        sync()
    samples = []
    for _ in range(5):
        t = time.perf_counter()
        call()
        if sync is not None:
            sync()
        samples.append((time.perf_counter() - t) * 1e3)
    return statistics.median(samples)


def pick_method(name, requested, dev, sync):
    if requested != "auto":
        return requested
    if dev.type == "cpu":
        return CPU_METHOD[name]
    trial = {m: trial_ms(make(name, m, dev), sync) for m in ("roll", "conv")}
    return min(trial, key=trial.get)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--case", help="run only cases whose name contains this")
    ap.add_argument("--threads", type=int, default=2, help="CPU threads (ignored for --device cuda)")
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    ap.add_argument("--method", choices=["auto", "roll", "conv"], default="auto",
                    help="torch.roll or circular-padded conv2d/conv3d (auto: the faster on this device)")
    a = ap.parse_args()
    dev, sync = setup_device(a.device, a.threads)
    check_methods_agree(dev)
    cases = {}
    for name, warmup, repeats, inner, work, unit in CASES:
        if a.case and a.case.lower() not in name:
            continue
        method = pick_method(name, a.method, dev, sync)
        ms = median_ms(make(name, method, dev), warmup, repeats, inner, sync)
        rate = work / (ms * 1e-3) / 1e6
        cases[name] = {"ms": ms, "rate": rate, "unit": unit, "method": method}
        if not a.json:
            print(f"{name:<10} {ms:10.3f} ms  {rate:9.1f} {unit}  ({method})", flush=True)
    if a.json:
        threads = a.threads if dev.type == "cpu" else torch.get_num_threads()
        print(json.dumps({"impl": "pytorch", "torch": torch.__version__, "threads": threads, **device_info(dev),
                          "cases": cases}))


if __name__ == "__main__":
    main()
