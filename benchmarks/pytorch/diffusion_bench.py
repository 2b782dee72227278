#!/usr/bin/env python3
"""The LJ13 diffusion denoiser of issue 13 (EgnnDenoiser: 3 EGNN layers x 64, EDM's EGNN dynamics) in
plain PyTorch, on the weights and check input that `SciKernels.Benchmarks -- --diffusion --export DIR`
wrote. Written for this benchmark in the usual way: gathers by index, index_add_ scatters, nn.Linear
over the concatenated edge inputs, float32. It first checks that it computes the same eps-hat, loss and
gradient norm as SciKernels, then times an Adam training step (batch 32: t ~ U{1..T}, zero-CoM noise,
forward, MSE, backward, gradient-norm clipping at 1, Adam) with the protocol of
benchmarks/SciKernels.Benchmarks/Timing.cs, and ancestral sampling (all T steps, one batch) in
structures per second.

Run: SK_TORCH_SCRIPT=diffusion_bench.py benchmarks/pytorch/run.sh DIR [--samples N] [--threads 2]
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from timing import median_ms  # noqa: E402

import numpy as np
import torch
from torch import nn


class Egcl(nn.Module):
    def __init__(self, f, coords_range, coords_weight, clamp, aggregate_sum):
        super().__init__()
        act = nn.SiLU()
        self.edge_mlp = nn.Sequential(nn.Linear(2 * f + 2, f), act, nn.Linear(f, f), act)
        self.node_mlp = nn.Sequential(nn.Linear(2 * f, f), act, nn.Linear(f, f))
        self.coord_mlp = nn.Sequential(nn.Linear(f, f), act, nn.Linear(f, 1, bias=False), nn.Tanh())
        self.att_mlp = nn.Sequential(nn.Linear(f, 1), nn.Sigmoid())
        self.coords_range, self.coords_weight, self.clamp, self.sum = coords_range, coords_weight, clamp, aggregate_sum

    def forward(self, h, x, row, col, deg, d2):
        diff = x[row] - x[col]
        radial = (diff ** 2).sum(1, keepdim=True)
        m = self.edge_mlp(torch.cat([h[row], h[col], radial, d2], 1))
        m = m * self.att_mlp(m)
        diff = diff / (radial.sqrt() + 1)
        trans = (diff * (self.coord_mlp(m) * self.coords_range)).clamp(-self.clamp, self.clamp)
        agg = torch.zeros_like(x).index_add_(0, row, trans)
        if not self.sum:
            agg = agg / deg
        x = x + agg * self.coords_weight
        magg = torch.zeros(h.shape[0], m.shape[1], dtype=m.dtype).index_add_(0, row, m)
        h = h + self.node_mlp(torch.cat([h, magg], 1))
        return h, x


class EgnnDenoiser(nn.Module):
    def __init__(self, meta):
        super().__init__()
        f = meta["hidden"]
        self.embedding = nn.Linear(meta["species"] + 1, f)
        self.n_layers = meta["layers"]
        for i in range(self.n_layers):
            setattr(self, f"gcl_{i}", Egcl(f, meta["coords_range"], meta["coords_weight"], meta["coord_clamp"], meta["coords"] == "sum"))
        self.graphs = {}

    def edges(self, b, n):
        if (b, n) not in self.graphs:
            i, j = torch.meshgrid(torch.arange(n), torch.arange(n), indexing="ij")
            off = i != j
            base = torch.arange(b)[:, None] * n
            row = (base + i[off][None]).reshape(-1)  # receivers
            col = (base + j[off][None]).reshape(-1)  # senders
            self.graphs[(b, n)] = (row, col, torch.full((b * n, 1), float(n - 1)))
        return self.graphs[(b, n)]

    def forward(self, z, types, t):
        b, n, _ = z.shape
        row, col, deg = self.edges(b, n)
        x0 = z.reshape(b * n, 3)
        h = self.embedding(torch.cat([types, t[:, None, None].expand(b, n, 1)], 2).reshape(b * n, -1))
        d2 = ((x0[row] - x0[col]) ** 2).sum(1, keepdim=True)
        x = x0
        for i in range(self.n_layers):
            h, x = getattr(self, f"gcl_{i}")(h, x, row, col, deg, d2)
        eps = (x - x0).reshape(b, n, 3)
        return eps - eps.mean(1, keepdim=True)


def zero_com_noise(b, n):
    e = torch.randn(b, n, 3)
    return e - e.mean(1, keepdim=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--samples", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    meta = json.load(open(os.path.join(args.dir, "meta.json")))
    b, n = meta["batch"], meta["atoms"]
    f32 = lambda name, shape: torch.from_numpy(np.fromfile(os.path.join(args.dir, name), dtype=np.float32).reshape(shape))
    weights = np.fromfile(os.path.join(args.dir, "weights.f32"), dtype=np.float32)
    model = EgnnDenoiser(meta)
    state = {p["name"]: torch.from_numpy(weights[p["offset"]:p["offset"] + int(np.prod(p["shape"]))].reshape(p["shape"]).copy()) for p in meta["parameters"]}
    model.load_state_dict(state, strict=True)

    # 1. the same network: eps-hat, the loss of a fixed target and its gradient norm
    z, t, target, ours = f32("z.f32", (b, n, 3)), f32("time.f32", (b,)), f32("target.f32", (b, n, 3)), f32("eps.f32", (b, n, 3))
    types = torch.ones(b, n, 1)
    with torch.no_grad():
        eps = model(z, types, t)
    rel = float((eps - ours).abs().max() / ours.abs().max())
    loss = ((model(z, types, t) - target) ** 2).mean()
    model.zero_grad()
    loss.backward()
    gnorm = float(torch.sqrt(sum((p.grad.double() ** 2).sum() for p in model.parameters() if p.grad is not None)))
    check = {"eps_max_rel_diff": rel, "loss": float(loss), "loss_scikernels": meta["loss"], "grad_norm": gnorm, "grad_norm_scikernels": meta["grad_norm"]}
    if rel > 1e-4 or abs(gnorm / meta["grad_norm"] - 1) > 1e-3:
        print(json.dumps({"error": "PyTorch and SciKernels disagree", **check}))
        return 1

    # 2. an Adam training step, batch 32
    abar = torch.tensor(meta["alpha_bar"], dtype=torch.float64)
    T = abar.shape[0] - 1
    alpha, sigma = abar.sqrt(), (1 - abar).sqrt()
    torch.manual_seed(4)
    x = z * 0.8  # the cost does not depend on the values
    opt = torch.optim.Adam(model.parameters(), lr=5e-4)

    def train_step():
        tt = torch.randint(1, T + 1, (b,))
        e = zero_com_noise(b, n)
        zt = alpha[tt].float()[:, None, None] * x + sigma[tt].float()[:, None, None] * e
        loss = ((model(zt, types, tt.float() / T) - e) ** 2).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    cpu0 = time.process_time()
    step_ms = median_ms(train_step, 20, 15, 3)
    train_cpu = time.process_time() - cpu0

    # 3. ancestral sampling: all T steps of p(z_s | z_t), one batch of N structures
    ns = args.samples
    ones = torch.ones(ns, n, 1)
    cpu1, t0 = time.process_time(), time.perf_counter()
    with torch.no_grad():
        zs = zero_com_noise(ns, n)
        for tt in range(T, 0, -1):
            s = tt - 1
            e = model(zs, ones, torch.full((ns,), tt / T))
            ats = float(alpha[tt] / alpha[s])
            s2ts = max(0.0, float(1 - abar[tt] - ats * ats * (1 - abar[s])))
            mean = zs / ats - e * (s2ts / (ats * float(sigma[tt])))
            zs = mean + zero_com_noise(ns, n) * (s2ts ** 0.5 * float(sigma[s]) / float(sigma[tt]))
        xs = (zs - model(zs, ones, torch.zeros(ns)) * float(sigma[0])) / float(alpha[0])
        xs = xs - xs.mean(1, keepdim=True)
    sample_s = time.perf_counter() - t0
    out = {"impl": "pytorch", "torch": torch.__version__, "threads": args.threads, "check": check,
           "train_step_ms": step_ms, "train_cpu_seconds": train_cpu, "samples": ns, "sample_seconds": sample_s,
           "sample_cpu_seconds": time.process_time() - cpu1, "structures_per_second": ns / sample_s,
           "load": open("/proc/loadavg").read().strip()}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
