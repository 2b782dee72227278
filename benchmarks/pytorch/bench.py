#!/usr/bin/env python3
"""PyTorch side of the SciKernels benchmarks: same cases, shapes, dtype and timing protocol as
`SciKernels.Benchmarks -- --quick` (QuickBench.cs).

Per case: at least `warmup` untimed calls and WARMUP_SECONDS of warm-up, then `repeats` samples of `inner` calls each; the figure is the
median per-call time. Run it through run.sh (Debian's python3-torch, 2 threads, glibc malloc tuned
so 64 MiB buffers are reused instead of mmap'ed/faulted afresh each call).
--device cuda runs the same cases on the GPU (every timed call ends with torch.cuda.synchronize(),
--threads is ignored, TF32 off); tools/gpu/run.sh drives it that way.
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

import torch
from bench_device import setup_device, device_info  # shared by the PyTorch benchmark scripts

N16M = 1 << 24
B, IN, H, OUT = 4096, 2, 64, 1
MLP_FLOPS = 3 * 2.0 * B * (IN * H + H * H + H * OUT)
WARMUP_SECONDS = 1.0  # same as QuickBench.WarmupSeconds (.NET needs it for tiered JIT; applied to both)

# name, warmup, repeats, inner, work, unit  (keep in sync with QuickBench.Cases)
CASES = [
    ("matmul_512", 5, 15, 5, 2.0 * 512**3, "GFLOP/s"),
    ("matmul_2048", 2, 7, 1, 2.0 * 2048**3, "GFLOP/s"),
    ("add_16M", 3, 15, 2, 3.0 * 4 * N16M, "GB/s"),
    ("tanh_16M", 3, 15, 2, 2.0 * 4 * N16M, "GB/s"),
    ("exp_16M", 3, 15, 2, 2.0 * 4 * N16M, "GB/s"),
    ("sum_16M", 3, 15, 3, 4.0 * N16M, "GB/s"),
    ("mlp_step", 10, 15, 5, MLP_FLOPS, "GFLOP/s"),
]


def make_mlp(dev=torch.device("cpu"), sync=None):
    # Data come from the same seeded CPU generator on every device, then move (same values on cpu and cuda).
    g = torch.Generator().manual_seed(42)

    def u(shape, fan_in):
        bound = 1 / math.sqrt(fan_in)
        return (torch.rand(shape, generator=g) * 2 * bound - bound).to(dev).requires_grad_()

    params = [u((H, IN), IN), u((H,), IN), u((H, H), H), u((H,), H), u((OUT, H), H), u((OUT,), H)]
    x = (torch.rand((B, IN), generator=g) * 2 - 1).to(dev)
    y = (torch.sin(3 * x[:, 0]) * torch.cos(2 * x[:, 1])).reshape(B, 1).contiguous()
    lr = 1e-3
    F = torch.nn.functional

    def mark(clock):
        if sync is not None:
            sync()  # phases of asynchronous GPU work end when the device is done
        clock.append(time.perf_counter())

    def step(clock=None):
        w1, b1, w2, b2, w3, b3 = params
        h = torch.tanh(F.linear(x, w1, b1))
        h = torch.tanh(F.linear(h, w2, b2))
        out = F.linear(h, w3, b3)
        loss = (out - y).square().mean()
        if clock is not None:
            mark(clock)
        loss.backward()
        if clock is not None:
            mark(clock)
        with torch.no_grad():
            for p in params:
                p.add_(p.grad, alpha=-lr)
                p.grad = None

    return step


def mlp_breakdown(dev=torch.device("cpu"), sync=None):
    """Phases of the MLP step (same split as `SciKernels.Benchmarks -- --mlp-breakdown` part 1)."""
    step = make_mlp(dev, sync)
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < 2 * WARMUP_SECONDS:
        step()
    if sync is not None:
        sync()
    ph = [[], [], [], []]
    for _ in range(41):
        clock = [time.perf_counter()]
        step(clock)
        if sync is not None:
            sync()
        clock.append(time.perf_counter())
        for i in range(3):
            ph[i].append((clock[i + 1] - clock[i]) * 1e6)
        ph[3].append((clock[3] - clock[0]) * 1e6)
    names = ["forward + loss (recording graph)", "loss.backward()", "SGD update + grad=None", "total step"]
    where = f"{torch.get_num_threads()} threads" if sync is None else torch.cuda.get_device_name(dev)
    print(f"PyTorch {torch.__version__} MLP step, {where}, medians over 41 steps, µs")
    for n, v in zip(names, ph):
        print(f"  {n:<40} {statistics.median(v):9.1f}")


def make_case(name, dev=torch.device("cpu"), sync=None):
    # Inputs come from the same seeded CPU generator on every device, then move to dev.
    g = torch.Generator().manual_seed(7)
    if name.startswith("matmul_"):
        n = int(name.split("_")[1])
        a = torch.randn((n, n), generator=g).to(dev)
        b = torch.randn((n, n), generator=g).to(dev)
        return lambda: torch.matmul(a, b)
    if name == "add_16M":
        a = (torch.rand(N16M, generator=g) * 6 - 3).to(dev)
        b = (torch.rand(N16M, generator=g) * 6 - 3).to(dev)
        return lambda: torch.add(a, b)
    if name == "tanh_16M":
        a = (torch.rand(N16M, generator=g) * 6 - 3).to(dev)
        return lambda: torch.tanh(a)
    if name == "exp_16M":
        a = (torch.rand(N16M, generator=g) * 6 - 3).to(dev)
        return lambda: torch.exp(a)
    if name == "sum_16M":
        a = torch.rand(N16M, generator=g).to(dev)
        return lambda: a.sum()
    if name == "mlp_step":
        return make_mlp(dev, sync)
    raise ValueError(name)


def median_ms(fn, warmup, repeats, inner, sync=None):
    if sync is not None:  # cuda: each call (warm-up and timed) ends when the device has finished it
        call = fn

        def fn():
            call()
            sync()
    t0 = time.perf_counter()
    i = 0
    while i < warmup or time.perf_counter() - t0 < WARMUP_SECONDS:
        fn()
        i += 1
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - t0) * 1e3 / inner)
    return statistics.median(samples)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", action="store_true", help="print one JSON object (for compare.sh)")
    ap.add_argument("--case", help="run only cases whose name contains this")
    ap.add_argument("--threads", type=int, default=2, help="CPU threads (ignored for --device cuda)")
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    ap.add_argument("--mlp-breakdown", action="store_true", help="time the MLP step's phases")
    args = ap.parse_args()
    dev, sync = setup_device(args.device, args.threads)
    if args.mlp_breakdown:
        mlp_breakdown(dev, sync)
        return
    results = {}
    for name, warmup, repeats, inner, work, unit in CASES:
        if args.case and args.case.lower() not in name.lower():
            continue
        fn = make_case(name, dev, sync)
        ms = median_ms(fn, warmup, repeats, inner, sync)
        del fn
        rate = work / (ms * 1e-3) / 1e9
        results[name] = {"ms": ms, "rate": rate, "unit": unit}
        if not args.json:
            print(f"{name:<12} {ms:10.3f} ms  {rate:8.1f} {unit}", flush=True)
    if args.json:
        print(json.dumps({"impl": "pytorch", "torch": torch.__version__, "threads": torch.get_num_threads(),
                          "glibc_tunables": os.environ.get("GLIBC_TUNABLES", ""), **device_info(dev),
                          "cases": results}))


if __name__ == "__main__":
    main()
