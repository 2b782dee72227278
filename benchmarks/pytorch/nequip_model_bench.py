"""The whole NequIP-style model (energy + forces) in plain PyTorch (issue 12 item 7), built from what
`SciKernels.Benchmarks -- --nequip --export DIR` wrote per case: the layouts and Clebsch-Gordan couplings
of every block (model.json), the parameters (params.f64), the Cu FCC structure (positions, cell, integer
image shifts, senders, receivers; cutoff 5 A) and SciKernels' own float64 energy and forces.

The model is the one of src/SciKernels/Potentials/Nequip, written out with torch ops (no e3nn): species
embedding; per block linear -> channel-wise tensor-product convolution with weights from the radial MLP
(Bessel basis times the polynomial cutoff) divided by sqrt(avg neighbours) -> linear, plus a linear
self-connection, then the gate (SiLU on scalars, sigmoid gates on l > 0), residual when the irreps agree;
readout of the scalars. Irreps features are m-major (each block [degree, channels] flattened), as in
SciKernels. Forces are -dE/dx by torch.autograd.grad.

It first checks, in float64, that it computes SciKernels' energy and forces on the exported parameters,
then times energy + forces in float32 with the protocol of benchmarks/SciKernels.Benchmarks/Timing.cs
(>= 2 calls and >= 1 s of warm-up, median of the samples).

Run: SK_TORCH_SCRIPT=nequip_model_bench.py benchmarks/pytorch/run.sh DIR [--threads 2] [--case NAME]
"""
import json
import math
import os
import sys
import time

import numpy as np
import torch


def median_ms(call, warmup, repeats):
    t0 = time.perf_counter()
    i = 0
    while i < warmup or time.perf_counter() - t0 < 1.0:
        call()
        i += 1
    samples = []
    for _ in range(repeats):
        t = time.perf_counter()
        call()
        samples.append((time.perf_counter() - t) * 1e3)
    return float(np.median(samples))


def layout(text):
    """'32x0e+32x1o' -> [(mul, l, parity, offset, dim)]."""
    blocks, off = [], 0
    for part in text.split("+"):
        mul, rest = part.split("x")
        mul, l, p = int(mul), int(rest[:-1]), 1 if rest[-1] == "e" else -1
        blocks.append((mul, l, p, off, mul * (2 * l + 1)))
        off += mul * (2 * l + 1)
    return blocks


def irreps_linear(x, inp, out, params, prefix):
    """SciKernels' IrrepsLinear: per output block, sum over input blocks of the same (l, p) of
    x_block [n*degree, mul_in] @ W [mul_in, mul_out], divided by sqrt(fan-in), plus a bias on 0e."""
    n = x.shape[0]
    parts = []
    for b, (mo, lo, po, _, do) in enumerate(out):
        acc, fan = None, 0
        for a, (mi, li, pi, oi, di) in enumerate(inp):
            if li != lo or pi != po:
                continue
            term = x[:, oi:oi + di].reshape(n * (2 * li + 1), mi) @ params[f"{prefix}weight_{a}_{b}"]
            acc = term if acc is None else acc + term
            fan += mi
        acc = torch.zeros(n, do, dtype=x.dtype) if acc is None else (acc * (1 / math.sqrt(fan))).reshape(n, do)
        if f"{prefix}bias_{b}" in params:
            acc = acc + params[f"{prefix}bias_{b}"]
        parts.append(acc)
    return parts[0] if len(parts) == 1 else torch.cat(parts, 1)


def gate(x, scalars, gated):
    n = x.shape[0]
    parts = [torch.nn.functional.silu(x[:, o:o + d]) if p > 0 else torch.tanh(x[:, o:o + d]) for (_, _, p, o, d) in scalars]
    s_dim = sum(b[4] for b in scalars)
    channels = sum(b[0] for b in gated)
    gates = torch.sigmoid(x[:, s_dim:s_dim + channels])
    c = 0
    for (mul, l, _, o, d) in gated:
        v = x[:, s_dim + channels + o:s_dim + channels + o + d].reshape(n, 2 * l + 1, mul)
        parts.append((v * gates[:, None, c:c + mul]).reshape(n, d))
        c += mul
    return torch.cat(parts, 1)


def spherical_harmonics(v, lmax):
    """SciKernels' SphericalHarmonics.Compute (component normalization, e3nn's axes): the same recurrences."""
    r = v / v.square().sum(1, keepdim=True).sqrt().clamp(min=1e-30)
    a, b, c = r[:, 2:3], r[:, 0:1], r[:, 1:2]
    rr = r.square().sum(1, keepdim=True)
    cols = [None] * (lmax + 1) ** 2
    re, im = [None] * (lmax + 1), [None] * (lmax + 1)
    for m in range(1, lmax + 1):
        if m == 1:
            re[1], im[1] = a, b
        else:
            re[m] = re[m - 1] * a - im[m - 1] * b
            im[m] = re[m - 1] * b + im[m - 1] * a
    for m in range(lmax + 1):
        prev2 = prev1 = None
        for l in range(m, lmax + 1):
            if l == m:
                pi = (c * 0 + 1) * float(np.prod(np.arange(2 * m - 1, 0, -2)))  # (2m - 1)!!
            elif l == m + 1:
                pi = c * prev1 * (2 * m + 1)
            else:
                pi = c * prev1 * ((2.0 * l - 1) / (l - m)) - (prev2 * rr) * ((l + m - 1) / (l - m))
            ratio = 1.0
            for k in range(l - m + 1, l + m + 1):
                ratio /= k
            norm = math.sqrt((2 * l + 1) * (1.0 if m == 0 else 2.0) * ratio)
            if m == 0:
                cols[l * l + l] = pi * norm
            else:
                cols[l * l + l + m] = pi * re[m] * norm
                cols[l * l + l - m] = pi * im[m] * norm
            prev2, prev1 = prev1, pi
    return torch.cat(cols, 1)


def radial(lengths, meta, params, prefix):
    rc, p = meta["cutoff"], meta["polynomial_degree"]
    x = lengths / rc
    xp = x ** p
    u = (1 - (p + 1) * (p + 2) / 2 * xp + p * (p + 2) * xp * x - p * (p + 1) / 2 * xp * x * x) * (x < 1).to(lengths.dtype)
    freq = torch.arange(1, meta["num_basis"] + 1, dtype=lengths.dtype)[None, :] * (math.pi / rc)
    basis = torch.sin(lengths * freq) / lengths * math.sqrt(2 / rc)
    hidden = basis * u
    k = 0
    while f"{prefix}mlp.layers.{k}.weight" in params:
        if k > 0:
            hidden = torch.nn.functional.silu(hidden)
        hidden = torch.nn.functional.linear(hidden, params[f"{prefix}mlp.layers.{k}.weight"], params[f"{prefix}mlp.layers.{k}.bias"])
        k += 2
    return hidden * u


def conv(w, sh, h, senders, receivers, paths, n, out_dim):
    """The channel-wise tensor-product convolution as in nequip_bench.py."""
    e = sh.shape[0]
    hj = h.index_select(0, senders)
    msgs = []
    for sh_off, d1, in_off, d2, d3, mul, w_off, cg in paths:
        yc = (sh[:, sh_off:sh_off + d1] @ cg).view(e, d2, d3)
        x = hj[:, in_off:in_off + d2 * mul].view(e, d2, mul)
        t = torch.bmm(yc.transpose(1, 2), x)
        msgs.append((t * w[:, None, w_off:w_off + mul]).reshape(e, d3 * mul))
    m = torch.cat(msgs, 1)
    return torch.zeros(n, out_dim, dtype=m.dtype).index_add_(0, receivers, m)


class Model:
    def __init__(self, d, dtype):
        self.meta = meta = json.load(open(os.path.join(d, "model.json")))
        flat = np.fromfile(os.path.join(d, "params.f64"), dtype=np.float64)
        self.params = {p["name"]: torch.from_numpy(flat[p["offset"]:p["offset"] + int(np.prod(p["shape"]))].reshape(p["shape"]).copy()).to(dtype)
                       for p in meta["parameters"]}
        self.blocks = []
        for b in meta["blocks"]:
            paths = []
            for p in b["paths"]:
                d1, d2, d3 = 2 * p["l1"] + 1, 2 * p["l2"] + 1, 2 * p["l3"] + 1
                cg = torch.tensor(p["cg"], dtype=dtype).reshape(d1, d2 * d3)
                paths.append((p["l1"] * p["l1"], d1, p["in_offset"], d2, d3, p["mul"], p["w_offset"], cg))
            self.blocks.append(dict(inp=layout(b["input"]), tp_out=layout(b["tp_output"]), paths=paths, gate_in=layout(b["gate_input"]),
                                    scalars=layout(b["gate_scalars"]), gated=layout(b["gate_gated"]), residual=b["residual"]))
        self.norm = 1 / math.sqrt(meta["avg_neighbors"])

    def energy(self, pos, cell, shifts, senders, receivers):
        meta, P = self.meta, self.params
        n = pos.shape[0]
        vec = pos.index_select(0, senders) - pos.index_select(0, receivers) + shifts @ cell
        lengths = vec.square().sum(1, keepdim=True).sqrt()
        sh = spherical_harmonics(vec, meta["lmax"])
        h = P["embedding"][torch.zeros(n, dtype=torch.long)]  # every atom is Cu (species 0)
        for k, b in enumerate(self.blocks):
            pre = f"block_{k}."
            w = radial(lengths, meta, P, pre + "radial.")
            x = irreps_linear(h, b["inp"], b["inp"], P, pre + "linear_1.")
            m = conv(w, sh, x, senders, receivers, b["paths"], n, sum(t[4] for t in b["tp_out"])) * self.norm
            y = irreps_linear(m, b["tp_out"], b["gate_in"], P, pre + "linear_2.") + irreps_linear(h, b["inp"], b["gate_in"], P, pre + "self_connection.")
            y = gate(y, b["scalars"], b["gated"])
            h = h + y if b["residual"] else y
        mid = layout(meta["readout_1"]["output"])
        e = irreps_linear(irreps_linear(h, layout(meta["readout_1"]["input"]), mid, P, "readout_1."),
                          mid, layout(meta["readout_2"]["output"]), P, "readout_2.")
        return e.sum()  # energy_scale 1, energy_shift 0 in the benchmark's model


def main():
    args = sys.argv[1:]
    threads = int(args[args.index("--threads") + 1]) if "--threads" in args else 2
    only = args[args.index("--case") + 1] if "--case" in args else None
    torch.set_num_threads(threads)
    root = args[0]
    for case in sorted(os.listdir(root)):
        if only is not None and only not in case:
            continue
        d = os.path.join(root, case)
        if not os.path.exists(os.path.join(d, "model.json")):
            continue

        def inputs(dtype):
            meta = json.load(open(os.path.join(d, "model.json")))
            n, e = meta["nodes"], meta["edges"]
            arr = lambda name, t, shape: torch.from_numpy(np.fromfile(os.path.join(d, name), dtype=t).reshape(shape))
            return (arr("positions.f64", np.float64, (n, 3)).to(dtype), arr("cell.f64", np.float64, (3, 3)).to(dtype),
                    arr("shifts.i64", np.int64, (e, 3)).to(dtype), arr("senders.i64", np.int64, (e,)), arr("receivers.i64", np.int64, (e,)))

        def energy_forces(model, pos, cell, shifts, s, r):
            x = pos.detach().requires_grad_()
            e = model.energy(x, cell, shifts, s, r)
            return e, -torch.autograd.grad(e, [x])[0]

        model = Model(d, torch.float64)
        pos, cell, shifts, s, r = inputs(torch.float64)
        e, f = energy_forces(model, pos, cell, shifts, s, r)
        ours_f = torch.from_numpy(np.fromfile(os.path.join(d, "forces.f64"), dtype=np.float64)).reshape(f.shape)
        ours_e = model.meta["energy"]
        n, edges = model.meta["nodes"], model.meta["edges"]
        print(f"{case:<9} float64 check vs SciKernels: energy {e.item():.12f} vs {ours_e:.12f} (rel. diff {abs(e.item() - ours_e) / abs(ours_e):.1e}), "
              f"forces max |diff| {(f - ours_f).abs().max().item():.1e} eV/A (max |F| {ours_f.abs().max().item():.3f})")
        del model, e, f
        model = Model(d, torch.float32)
        pos, cell, shifts, s, r = inputs(torch.float32)
        reps = 7 if n < 5000 else 3
        ms = median_ms(lambda: energy_forces(model, pos, cell, shifts, s, r), 2, reps)
        print(f"{case:<9} {'nequip energy+forces (pytorch)':<28} {ms:10.2f} ms   ({n} atoms, {edges} edges, threads {threads})", flush=True)


if __name__ == "__main__":
    main()
