#!/usr/bin/env python3
"""PyTorch side of the EGNN cases of the side-by-side suite (issue 11; EgnnWorkload in
SciKernels.Benchmarks/SuiteBench.cs). A plain PyTorch EGNN written for this benchmark in the usual
way (gathers by index, index_add_ scatters, nn.Linear over the concatenated edge inputs), with the
conventions of the EGNN paper (Satorras et al. 2021): SiLU, recurrent node update, coordinate
update C * mean_j clamp((x_i - x_j) phi_x(m_ij), +-100), float32.

Cases (same shapes as the SciKernels side):
  egnn_nbody_f / egnn_nbody_step    EGNN_vel, 4 layers, hidden 64, 100 graphs x 5 fully connected
                                    particles (500 nodes, 2000 edges), h = |v|, edge attributes
                                    [q_i q_j, |x_i - x_j|^2]; inference forward / Adam training step
                                    (forward, MSE, backward, Adam).
  egnn_radius_f / egnn_radius_step  4 E_GCL layers, hidden 64, radius graph of 2000 R3 quasi-random
                                    points keeping the 32 000 closest pairs (64 000 directed edges);
                                    loss MSE(x, x*) + MSE(h, h*).
Protocol (as Timing.MedianMs): >= 1 s and `warmup` calls of warm-up, then `repeats` samples of the
mean of `inner` calls; the median in ms. Run through run.sh (Debian python3, malloc tuning, 2 threads):
  SK_TORCH_SCRIPT=egnn_bench.py benchmarks/pytorch/run.sh [--json] [--case NAME] [--threads N]
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from timing import median_ms  # noqa: E402
import argparse
import json
import math
import time

import torch
from torch import nn

HIDDEN, LAYERS, SYSTEMS, PARTICLES, POINTS, PAIRS = 64, 4, 100, 5, 2000, 32_000
CASES = {  # name: (warmup, repeats, inner) as in SuiteBench.Cases
    "egnn_nbody_f": (300, 15, 5), "egnn_nbody_step": (300, 15, 5),
    "egnn_radius_f": (10, 9, 2), "egnn_radius_step": (10, 9, 2),
}


class Egcl(nn.Module):
    def __init__(self, f, hidden, edge_attr=0, vel=False):
        super().__init__()
        act = nn.SiLU()
        self.edge_mlp = nn.Sequential(nn.Linear(2 * f + 1 + edge_attr, hidden), act, nn.Linear(hidden, hidden), act)
        self.node_mlp = nn.Sequential(nn.Linear(hidden + f, hidden), act, nn.Linear(hidden, f))
        last = nn.Linear(hidden, 1, bias=False)
        nn.init.xavier_uniform_(last.weight, gain=0.001)
        self.coord_mlp = nn.Sequential(nn.Linear(hidden, hidden), act, last)
        self.coord_mlp_vel = nn.Sequential(nn.Linear(f, hidden), act, nn.Linear(hidden, 1)) if vel else None

    def forward(self, h, x, row, col, deg, edge_attr=None, v=None):
        diff = x[row] - x[col]
        radial = (diff ** 2).sum(1, keepdim=True)
        parts = [h[row], h[col], radial] + ([edge_attr] if edge_attr is not None else [])
        m = self.edge_mlp(torch.cat(parts, 1))
        trans = (diff * self.coord_mlp(m)).clamp(-100, 100)
        agg = torch.zeros_like(x).index_add_(0, row, trans) / deg
        if v is not None:
            v = self.coord_mlp_vel(h) * v + agg
            x = x + v
        else:
            x = x + agg
        magg = torch.zeros(h.shape[0], m.shape[1], dtype=m.dtype).index_add_(0, row, m)
        h = h + self.node_mlp(torch.cat([h, magg], 1))
        return h, x, v


class EgnnVel(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Linear(1, HIDDEN)
        self.layers = nn.ModuleList([Egcl(HIDDEN, HIDDEN, edge_attr=2, vel=True) for _ in range(LAYERS)])

    def forward(self, h, x, row, col, deg, v, edge_attr):
        h = self.embedding(h)
        for layer in self.layers:
            h, x, _ = layer(h, x, row, col, deg, edge_attr, v)
        return h, x


class EgclStack(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([Egcl(HIDDEN, HIDDEN) for _ in range(LAYERS)])

    def forward(self, h, x, row, col, deg):
        for layer in self.layers:
            h, x, _ = layer(h, x, row, col, deg)
        return h, x


def radius_graph():
    """The R3 points and the 32 000 closest pairs, both directions, sorted by (receiver, sender)."""
    phi = 1.2207440846057596
    alpha = torch.tensor([1 / phi, 1 / phi ** 2, 1 / phi ** 3], dtype=torch.float64)
    t = 0.5 + torch.arange(1, POINTS + 1, dtype=torch.float64)[:, None] * alpha
    p = t - torch.floor(t)
    i, j = torch.triu_indices(POINTS, POINTS, 1)
    d = ((p[i] - p[j]) ** 2).sum(1)
    keep = torch.argsort(d, stable=True)[:PAIRS]
    r = torch.cat([i[keep], j[keep]])
    s = torch.cat([j[keep], i[keep]])
    order = torch.argsort(r * POINTS + s)
    return s[order], r[order], p.float()


def make_case(name):
    g = torch.Generator().manual_seed(11)
    torch.manual_seed(11)
    step = name.endswith("_step")
    if name.startswith("egnn_nbody"):
        n = SYSTEMS * PARTICLES
        ii, jj = torch.meshgrid(torch.arange(PARTICLES), torch.arange(PARTICLES), indexing="ij")
        off = ii != jj
        base = torch.arange(SYSTEMS)[:, None] * PARTICLES
        row = (base + ii[off][None]).reshape(-1)
        col = (base + jj[off][None]).reshape(-1)
        x = torch.randn(n, 3, generator=g)
        v = torch.randn(n, 3, generator=g)
        q = torch.where(torch.rand(n, generator=g) < 0.5, -1.0, 1.0)
        h = v.norm(dim=1, keepdim=True)
        edge_attr = torch.cat([(q[row] * q[col])[:, None], ((x[row] - x[col]) ** 2).sum(1, keepdim=True)], 1)
        model = EgnnVel()
        target_x = torch.randn(n, 3, generator=g)
        target_h = None
        args = lambda: (h, x, row, col, None, v, edge_attr)
    else:
        col, row, x = radius_graph()
        n = POINTS
        h = torch.randn(n, HIDDEN, generator=g)
        model = EgclStack()
        target_x = torch.randn(n, 3, generator=g)
        target_h = torch.randn(n, HIDDEN, generator=g)
        args = lambda: (h, x, row, col, None)
    deg = torch.zeros(n).index_add_(0, row, torch.ones(row.shape[0])).clamp(min=1)[:, None]
    a = list(args())
    a[4] = deg
    opt = torch.optim.Adam(model.parameters(), lr=5e-4)

    if not step:
        def call():
            with torch.no_grad():
                model(*a)
        return call

    def call():
        hh, xx = model(*a)
        loss = ((xx - target_x) ** 2).mean()
        if target_h is not None:
            loss = loss + ((hh - target_h) ** 2).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return call




def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--case", default=None, help="run only cases whose name contains this")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    out = {}
    for name, (warmup, repeats, inner) in CASES.items():
        if args.case and args.case.lower() not in name:
            continue
        ms = median_ms(make_case(name), warmup, repeats, inner)
        unit = "step/s" if name.endswith("_step") else "call/s"
        out[name] = {"ms": ms, "rate": 1e3 / ms, "unit": unit}
        if not args.json:
            print(f"{name:<16} {ms:10.3f} ms  {1e3 / ms:10.2f} {unit}")
    if args.json:
        print(json.dumps({"impl": "pytorch", "torch": torch.__version__, "threads": args.threads, "device": "cpu", "cases": out}))


if __name__ == "__main__":
    main()
