#!/usr/bin/env python3
"""PyTorch side of the operator-learning benchmarks: the same cases, shapes and timing protocol as
`SciKernels.Benchmarks -- --fno-quick` (FnoQuickBench.cs / FnoWorkloads.cs).

The Fourier layers are written as in Li et al.'s reference code (torch.fft.rfft/rfft2, einsum over
the kept modes into a zeroed complex spectrum, irfft/irfft2); the FNOs are the paper's FNO1d/FNO2d
(fc0 lift with the grid appended, 4 x (SpectralConv + 1x1 Conv), GELU, fc1 128, fc2), no padding.
Run through run.sh-style settings: Debian's python3-torch, GLIBC_TUNABLES and OMP_WAIT_POLICY as in
compare_fno.sh, torch.set_num_threads(threads).
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
import torch.nn as nn
import torch.nn.functional as F
from bench_device import setup_device, device_info, median_ms  # shared by the PyTorch benchmark scripts

WARMUP_SECONDS = 1.0
MLP_SAMPLES, MLP_BATCH = 8192, 128

# name, warmup, repeats, inner, work, unit  (keep in sync with FnoQuickBench.Cases)
CASES = [
    ("spectral1d_fb", 5, 11, 3, 20.0 * 64 * 1024, "Mpt/s"),
    ("spectral2d_fb", 5, 11, 3, 20.0 * 32 * 64 * 64, "Mpt/s"),
    ("fno1d_step", 3, 9, 2, 20.0 * 1024, "Mpt/s"),
    ("fno2d_step", 3, 9, 2, 20.0 * 64 * 64, "Mpt/s"),
    ("adam_1M", 10, 15, 5, float(1 << 20), "Mpar/s"),
    ("mlp_epoch", 2, 7, 1, float(MLP_SAMPLES), "Msmp/s"),
]


class SpectralConv1d(nn.Module):
    def __init__(self, cin, cout, modes):
        super().__init__()
        self.modes = modes
        scale = 1 / (cin * cout)
        self.weights = nn.Parameter(scale * torch.rand(cin, cout, modes, dtype=torch.cfloat))

    def forward(self, x):
        b, n = x.shape[0], x.shape[-1]
        x_ft = torch.fft.rfft(x)
        out_ft = torch.zeros(b, self.weights.shape[1], n // 2 + 1, dtype=torch.cfloat, device=x.device)
        out_ft[:, :, :self.modes] = torch.einsum("bix,iox->box", x_ft[:, :, :self.modes], self.weights)
        return torch.fft.irfft(out_ft, n=n)


class SpectralConv2d(nn.Module):
    def __init__(self, cin, cout, m1, m2):
        super().__init__()
        self.m1, self.m2 = m1, m2
        scale = 1 / (cin * cout)
        self.weights1 = nn.Parameter(scale * torch.rand(cin, cout, m1, m2, dtype=torch.cfloat))
        self.weights2 = nn.Parameter(scale * torch.rand(cin, cout, m1, m2, dtype=torch.cfloat))

    def forward(self, x):
        b, h, w = x.shape[0], x.shape[-2], x.shape[-1]
        x_ft = torch.fft.rfft2(x)
        out_ft = torch.zeros(b, self.weights1.shape[1], h, w // 2 + 1, dtype=torch.cfloat, device=x.device)
        out_ft[:, :, :self.m1, :self.m2] = torch.einsum("bixy,ioxy->boxy", x_ft[:, :, :self.m1, :self.m2], self.weights1)
        out_ft[:, :, -self.m1:, :self.m2] = torch.einsum("bixy,ioxy->boxy", x_ft[:, :, -self.m1:, :self.m2], self.weights2)
        return torch.fft.irfft2(out_ft, s=(h, w))


class FNO(nn.Module):
    def __init__(self, dims, modes, width):
        super().__init__()
        self.dims = dims
        self.fc0 = nn.Linear(1 + dims, width)
        if dims == 1:
            self.convs = nn.ModuleList([SpectralConv1d(width, width, modes) for _ in range(4)])
            self.ws = nn.ModuleList([nn.Conv1d(width, width, 1) for _ in range(4)])
        else:
            self.convs = nn.ModuleList([SpectralConv2d(width, width, modes, modes) for _ in range(4)])
            self.ws = nn.ModuleList([nn.Conv2d(width, width, 1) for _ in range(4)])
        self.fc1 = nn.Linear(width, 128)
        self.fc2 = nn.Linear(128, 1)

    def grid(self, shape, device):
        if self.dims == 1:
            b, s = shape[0], shape[1]
            return torch.linspace(0, 1, s, device=device).reshape(1, s, 1).repeat(b, 1, 1)
        b, sx, sy = shape[0], shape[1], shape[2]
        gx = torch.linspace(0, 1, sx, device=device).reshape(1, sx, 1, 1).repeat(b, 1, sy, 1)
        gy = torch.linspace(0, 1, sy, device=device).reshape(1, 1, sy, 1).repeat(b, sx, 1, 1)
        return torch.cat((gx, gy), dim=-1)

    def forward(self, x):
        x = torch.cat((x, self.grid(x.shape, x.device)), dim=-1)
        x = self.fc0(x)
        x = x.permute(0, 2, 1) if self.dims == 1 else x.permute(0, 3, 1, 2)
        for i in range(4):
            x = self.convs[i](x) + self.ws[i](x)
            if i < 3:
                x = F.gelu(x)
        x = x.permute(0, 2, 1) if self.dims == 1 else x.permute(0, 2, 3, 1)
        return self.fc2(F.gelu(self.fc1(x)))


def rel_l2(pred, y):
    b = y.shape[0]
    return (torch.norm(pred.reshape(b, -1) - y.reshape(b, -1), 2, 1) / torch.norm(y.reshape(b, -1), 2, 1)).mean()


def make(name, dev=torch.device("cpu")):
    # Parameters and data are drawn on the CPU from torch.manual_seed(0) as before, then moved to dev
    # (the same values on cpu and cuda); everything created inside a call is created on dev.
    torch.manual_seed(0)
    if name.startswith("spectral"):
        dims = 1 if name == "spectral1d_fb" else 2
        c = 64 if dims == 1 else 32
        layer = (SpectralConv1d(c, c, 16) if dims == 1 else SpectralConv2d(c, c, 12, 12)).to(dev)
        shape = (20, c, 1024) if dims == 1 else (20, c, 64, 64)
        x = torch.randn(shape).to(dev).requires_grad_()
        g = torch.randn(shape).to(dev)

        def call():
            y = layer(x)
            y.backward(g)
            x.grad = None
            for p in layer.parameters():
                p.grad = None
        return call
    if name.startswith("fno"):
        dims = 1 if name == "fno1d_step" else 2
        model = (FNO(dims, 16, 64) if dims == 1 else FNO(dims, 12, 32)).to(dev)
        shape = (20, 1024, 1) if dims == 1 else (20, 64, 64, 1)
        x, y = torch.randn(shape).to(dev), torch.randn(shape).to(dev)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)

        def call():
            loss = rel_l2(model(x), y)
            loss.backward()
            opt.step()
            opt.zero_grad(set_to_none=True)
        return call
    if name == "adam_1M":
        p = torch.randn(1024, 1024).to(dev).requires_grad_()
        p.grad = torch.full_like(p, 0.5)
        opt = torch.optim.Adam([p], lr=1e-3)
        return opt.step
    if name == "mlp_epoch":
        mlp = nn.Sequential(nn.Linear(2, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1)).to(dev)
        opt = torch.optim.Adam(mlp.parameters(), lr=1e-3)
        x = (torch.rand(MLP_SAMPLES, 2) * 2 - 1).to(dev)
        y = (torch.sin(3 * x[:, 0]) * torch.cos(2 * x[:, 1])).reshape(-1, 1).contiguous()

        def call():
            perm = torch.randperm(MLP_SAMPLES, device=dev)
            for s in range(0, MLP_SAMPLES, MLP_BATCH):
                idx = perm[s:s + MLP_BATCH]
                loss = F.mse_loss(mlp(x.index_select(0, idx)), y.index_select(0, idx))
                loss.backward()
                opt.step()
                opt.zero_grad(set_to_none=True)
        return call
    raise ValueError(name)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--case")
    ap.add_argument("--threads", type=int, default=2, help="CPU threads (ignored for --device cuda)")
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    a = ap.parse_args()
    dev, sync = setup_device(a.device, a.threads)
    cases = {}
    for name, warmup, repeats, inner, work, unit in CASES:
        if a.case and a.case.lower() not in name:
            continue
        ms = median_ms(make(name, dev), warmup, repeats, inner, sync)
        rate = work / (ms * 1e-3) / 1e6
        cases[name] = {"ms": ms, "rate": rate, "unit": unit}
        if not a.json:
            print(f"{name:<14} {ms:10.3f} ms  {rate:8.2f} {unit}")
    if a.json:
        threads = a.threads if dev.type == "cpu" else torch.get_num_threads()
        print(json.dumps({"impl": "pytorch", "torch": torch.__version__, "threads": threads, **device_info(dev),
                          "cases": cases}))


if __name__ == "__main__":
    main()
