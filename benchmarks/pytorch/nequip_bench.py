"""The channel-wise tensor-product convolution in plain PyTorch (issue 12 item 7), on the inputs that
`SciKernels.Benchmarks -- --nequip --export DIR` wrote: the same Cu FCC graphs (cutoff 5 A), the same
harmonics, node features, per-edge weights and Clebsch-Gordan couplings (32x0e+32x1o+32x2e, l <= 2).
The implementation is the straightforward one: gather the senders' features, per path one product of
the harmonics with the dense coupling matrix and one batched product with the features, times the
weights, then ONE index_add_ of all paths' messages into the receivers. It first checks that it
computes the same output as SciKernels (float64 checksum), then times forward and forward+backward
with the protocol of benchmarks/SciKernels.Benchmarks/Timing.cs (>= 2 calls and >= 1 s of warm-up,
median of the samples).

Run: GLIBC_TUNABLES=... OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 nequip_bench.py DIR [--threads 2]
(or SK_TORCH_SCRIPT=nequip_bench.py benchmarks/pytorch/run.sh DIR).
"""
import json
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


def load(d, dtype):
    meta = json.load(open(os.path.join(d, "meta.json")))
    def arr(name, np_type, shape):
        return torch.from_numpy(np.fromfile(os.path.join(d, name), dtype=np_type).reshape(shape))
    n, e = meta["nodes"], meta["edges"]
    s = arr("senders.i64", np.int64, (e,))
    r = arr("receivers.i64", np.int64, (e,))
    sh = arr("sh.f32", np.float32, (e, (meta["sh_lmax"] + 1) ** 2)).to(dtype)
    h = arr("h.f32", np.float32, (n, meta["in_dim"])).to(dtype)
    w = arr("w.f32", np.float32, (e, meta["w_dim"])).to(dtype)
    paths = []
    for p in meta["paths"]:
        d1, d2, d3 = 2 * p["l1"] + 1, 2 * p["l2"] + 1, 2 * p["l3"] + 1
        cg = torch.tensor(p["cg"], dtype=dtype).reshape(d1, d2 * d3)
        paths.append((p["l1"] * p["l1"], d1, p["in_offset"], d2, d3, p["mul"], p["w_offset"], cg))
    return meta, s, r, sh, h, w, paths


def conv(w, sh, h, senders, receivers, paths, n, out_dim):
    e = sh.shape[0]
    hj = h.index_select(0, senders)
    msgs = []
    for sh_off, d1, in_off, d2, d3, mul, w_off, cg in paths:
        yc = (sh[:, sh_off:sh_off + d1] @ cg).view(e, d2, d3)          # sum_m1 C[m1,m2,m3] Y[m1]
        x = hj[:, in_off:in_off + d2 * mul].view(e, d2, mul)             # m-major block [E, d2, C]
        t = torch.bmm(yc.transpose(1, 2), x)                             # [E, d3, C]
        msgs.append((t * w[:, None, w_off:w_off + mul]).reshape(e, d3 * mul))
    m = torch.cat(msgs, 1)
    return torch.zeros(n, out_dim, dtype=m.dtype).index_add_(0, receivers, m)


def main():
    args = sys.argv[1:]
    threads = int(args[args.index("--threads") + 1]) if "--threads" in args else 2
    torch.set_num_threads(threads)
    root = args[0]
    for case in sorted(os.listdir(root)):
        d = os.path.join(root, case)
        meta, s, r, sh, h, w, paths = load(d, torch.float64)
        n, out_dim = meta["nodes"], meta["out_dim"]
        with torch.no_grad():
            o = conv(w, sh, h, s, r, paths, n, out_dim)
        rel = abs(o.sum().item() - meta["out_sum"]) / max(1.0, abs(meta["out_sum"]))
        rel2 = abs((o * o).sum().item() - meta["out_sum_squares"]) / meta["out_sum_squares"]
        print(f"{case:<9} checksum vs SciKernels (float64): sum rel. diff {rel:.2e}, sum of squares rel. diff {rel2:.2e}")
        meta, s, r, sh, h, w, paths = load(d, torch.float32)
        g = torch.randn(n, out_dim)
        reps = 7 if n < 5000 else 3
        with torch.no_grad():
            ms = median_ms(lambda: conv(w, sh, h, s, r, paths, n, out_dim), 2, reps)
        print(f"{case:<9} {'tp_conv forward (pytorch)':<28} {ms:10.2f} ms   ({n} atoms, {meta['edges']} edges, threads {threads})")

        def fwd_bwd():
            wr, yr, hr = (t.detach().requires_grad_() for t in (w, sh, h))
            torch.autograd.grad((conv(wr, yr, hr, s, r, paths, n, out_dim) * g).sum(), [wr, yr, hr])
        ms = median_ms(fwd_bwd, 2, reps)
        print(f"{case:<9} {'tp_conv fwd+bwd (pytorch)':<28} {ms:10.2f} ms   ({n} atoms, {meta['edges']} edges, threads {threads})")


if __name__ == "__main__":
    main()
