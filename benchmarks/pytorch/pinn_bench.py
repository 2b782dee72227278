#!/usr/bin/env python3
"""PyTorch side of the Burgers PINN step benchmark (PinnBenchmarks.cs in SciKernels.Benchmarks).

One Adam step of a 9-layer 2->20x8->1 tanh MLP, float32, N_f = 10 000 collocation points and 100
initial/boundary points: loss = mean((u_t + u u_x - nu u_xx)^2) + mean((u_b - g_b)^2), with u_x, u_t,
u_xx from torch.autograd.grad(create_graph=True) (reverse over reverse), then backward + Adam.

Protocol (as PinnBenchmarks.RunQuick): >= 2 s of warm-up, then `rounds` samples of `inner` steps;
prints the median ms/step. Run with Debian's /usr/bin/python3, 2 threads and the malloc tuning of
run.sh, e.g.
  GLIBC_TUNABLES=glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967296 \
  OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 benchmarks/pytorch/pinn_bench.py
--device cuda runs the same step on the GPU (every timed step ends with torch.cuda.synchronize(),
--threads is ignored, TF32 off); tools/gpu/run.sh drives it that way. --json prints one object with
the case under "cases" as "pinn_ror_step" (rate in step/s), plus the older top-level "case"/"ms"/"min".
"""
import argparse
import json
import os
import math
import statistics
import sys
import time

import torch
from bench_device import setup_device, device_info  # shared by the PyTorch benchmark scripts

N_F, N_B, WIDTH, HIDDEN = 10_000, 100, 20, 8
NU = 0.01 / math.pi


def make_problem(seed=42, dev=torch.device("cpu")):
    # Weights and points are drawn on the CPU from seeded generators as before, then moved to dev
    # (the same values on cpu and cuda).
    g = torch.Generator().manual_seed(seed)
    widths = [2] + [WIDTH] * HIDDEN + [1]
    layers = []
    for i in range(len(widths) - 1):
        lin = torch.nn.Linear(widths[i], widths[i + 1])
        with torch.no_grad():  # Xavier-uniform from g (older torch has no generator argument)
            bound = math.sqrt(6.0 / (widths[i] + widths[i + 1]))
            lin.weight.copy_(torch.rand(lin.weight.shape, generator=g) * 2 * bound - bound)
        torch.nn.init.zeros_(lin.bias)
        layers.append(lin)
        if i + 2 < len(widths):
            layers.append(torch.nn.Tanh())
    net = torch.nn.Sequential(*layers).to(dev)
    xf = torch.cat([torch.rand(N_F, 1, generator=g) * 2 - 1, torch.rand(N_F, 1, generator=g)], dim=1)
    half = N_B // 2
    x0 = torch.rand(half, 1, generator=g) * 2 - 1
    xb = torch.cat([
        torch.cat([x0, torch.zeros(half, 1)], dim=1),
        torch.cat([torch.tensor([[-1.0 if i % 2 == 0 else 1.0] for i in range(half)]), torch.rand(half, 1, generator=g)], dim=1),
    ])
    ub = torch.cat([-torch.sin(math.pi * x0), torch.zeros(half, 1)])
    xf, xb, ub = xf.to(dev), xb.to(dev), ub.to(dev)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)

    def step():
        x = xf.clone().requires_grad_(True)
        u = net(x)
        ones = torch.ones_like(u)
        g1 = torch.autograd.grad(u, x, ones, create_graph=True)[0]
        ux, ut = g1[:, 0:1], g1[:, 1:2]
        uxx = torch.autograd.grad(ux, x, ones, create_graph=True)[0][:, 0:1]
        residual = ut + u * ux - NU * uxx
        loss = residual.square().mean() + (net(xb) - ub).square().mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.item()

    return step


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2, help="CPU threads (ignored for --device cuda)")
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--inner", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    dev, sync = setup_device(args.device, args.threads)
    step = make_problem(dev=dev)
    if sync is not None:  # cuda: each step (warm-up and timed) ends when the device has finished it
        fn = step

        def step():
            fn()
            sync()
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < 2.0:
        step()
    samples = []
    for _ in range(args.rounds):
        t0 = time.perf_counter()
        for _ in range(args.inner):
            step()
        samples.append((time.perf_counter() - t0) * 1e3 / args.inner)
    med = statistics.median(samples)
    if args.json:
        threads = args.threads if dev.type == "cpu" else torch.get_num_threads()
        print(json.dumps({"impl": "pytorch", "torch": torch.__version__, "threads": threads, **device_info(dev),
                          "case": "pinn_burgers", "ms": med, "min": min(samples),
                          "cases": {"pinn_ror_step": {"ms": med, "rate": 1e3 / med, "unit": "step/s"}}}))
    else:
        where = f"{args.threads} threads" if dev.type == "cpu" else torch.cuda.get_device_name(dev)
        print(f"pinn_burgers pytorch (autograd create_graph) {med:8.2f} ms/step (min {min(samples):.2f}), torch {torch.__version__}, {where}")


if __name__ == "__main__":
    main()
