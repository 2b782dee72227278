#!/usr/bin/env python3
"""Merges rounds of `SciKernels.Benchmarks --quick-json` / `--fno-quick-json` / `--suite-json` and
`pytorch/*.py --json` output (one JSON object per line, any order) and prints the side-by-side table.
ratio = PyTorch time / SciKernels time (> 1 means SciKernels is faster).

Where SciKernels' cases carry "flops"/"bytes" (the --suite-json cases) and the run measured the
machine's limits (matmul_2048: GEMM FLOP/s, copy_16M: copy bandwidth), the column "of limit" is the
roofline bound max(flops / GEMM rate, bytes / copy rate) over the measured time."""
import json
import statistics
import sys

# Ratio targets (issue 16: every core op >= 1.2x, FNO steps >= 4x, PINN >= 5x Taylor / 2.5x reverse-over-reverse).
TARGETS = {"matmul_512": 1.2, "matmul_2048": 1.2, "add_16M": 1.2, "tanh_16M": 1.2, "exp_16M": 1.2,
           "sum_16M": 1.2, "mlp_step": 1.2,
           "spectral1d_fb": 1.2, "spectral2d_fb": 1.2, "fno1d_step": 4.0, "fno2d_step": 4.0,
           "adam_1M": 1.2, "mlp_epoch": 1.2, "pinn_ror_step": 2.5, "pinn_taylor_step": 5.0,
           # issue 11: every EGNN case >= 3x
           "egnn_nbody_f": 3.0, "egnn_nbody_step": 3.0, "egnn_radius_f": 3.0, "egnn_radius_step": 3.0}
# Fraction-of-limit targets (issue 16: stencils forward+backward >= 70% of copy bandwidth).
LIMIT_TARGETS = {"lap2d_fb": 0.7, "lap3d_fb": 0.7}
# PyTorch has no Taylor mode: the Taylor step is compared with PyTorch's reverse-over-reverse step.
REFERENCE = {"pinn_taylor_step": "pinn_ror_step"}


def main(paths):
    runs = {"scikernels": [], "pytorch": []}
    files = {"scikernels": set(), "pytorch": set()}
    for p in paths:
        with open(p) as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    obj = json.loads(line)
                    runs[obj["impl"]].append(obj)
                    files[obj["impl"]].add(p)
    sk, pt = runs["scikernels"], runs["pytorch"]
    if not sk or not pt:
        sys.exit("compare.py: need at least one SciKernels and one PyTorch result")
    torch_version = next((r.get("torch") for r in pt if r.get("torch")), "?")
    print(f"rounds: SciKernels {len(files['scikernels'])}, PyTorch {len(files['pytorch'])} (torch {torch_version}, {pt[0].get('threads')} threads); "
          "per-case figure = median over rounds of each round's median")

    def sk_ms(n):
        v = [r["cases"][n]["ms"] for r in sk if "ms" in r["cases"].get(n, {})]
        return statistics.median(v) if v else None

    def pt_ms(n):
        v = [r["cases"][n]["ms"] for r in pt if "ms" in r["cases"].get(n, {})]
        return statistics.median(v) if v else None

    # The machine's limits, measured in this run by SciKernels' own cases.
    gemm = copy = None
    if sk_ms("matmul_2048"):
        gemm = 2.0 * 2048 ** 3 / (sk_ms("matmul_2048") * 1e-3)
    if sk_ms("copy_16M"):
        copy = 2 * 4.0 * (1 << 24) / (sk_ms("copy_16M") * 1e-3)
    if gemm or copy:
        print(f"limits measured in this run: GEMM {gemm / 1e9 if gemm else float('nan'):.0f} GFLOP/s (matmul_2048), "
              f"copy {copy / 1e9 if copy else float('nan'):.1f} GB/s (copy_16M, read + write)")

    def of_limit(n, s):
        c = next((r["cases"][n] for r in sk if "ms" in r["cases"].get(n, {})), {})
        flops, nbytes = c.get("flops", 0), c.get("bytes", 0)
        bound = max(flops / gemm if gemm and flops else 0, nbytes / copy if copy and nbytes else 0)
        return bound / (s * 1e-3) if bound else None

    hdr = f"{'case':<16} {'SciKernels':>22} {'PyTorch':>22} {'ratio':>7} {'target':>7}  {'of limit':>8}"
    print(hdr)
    print("-" * len(hdr))
    all_names = list(dict.fromkeys(n for r in sk for n in r["cases"]))
    names = [n for n in TARGETS if n in all_names] + [n for n in all_names if n not in TARGETS]
    for n in names:
        s, p = sk_ms(n), pt_ms(REFERENCE.get(n, n))
        if s is None:
            continue
        first = next(r["cases"][n] for r in sk if "ms" in r["cases"].get(n, {}))
        unit = first["unit"]
        srate = first["rate"] * first["ms"] / s
        frac = of_limit(n, s)
        verdicts = []
        tgt = TARGETS.get(n)
        if p is not None:
            ratio = p / s
            prate = srate * s / p
            pt_col = f"{p:8.3f} ms {prate:6.1f} {unit:<7}"
            ratio_col = f"{ratio:6.2f}x"
            if tgt is not None:
                verdicts.append("ok" if ratio >= tgt else "MISS")
        else:
            pt_col, ratio_col = f"{'n/a':>22}", f"{'':>7}"
        ltgt = LIMIT_TARGETS.get(n)
        if ltgt is not None and frac is not None:
            verdicts.append(f"{'ok' if frac >= ltgt else 'MISS'} (limit ≥{ltgt:.0%})")
        frac_col = f"{frac:8.0%}" if frac is not None else f"{'':>8}"
        print(f"{n:<16} {s:8.3f} ms {srate:6.1f} {unit:<7}{pt_col}{ratio_col} "
              f"{'' if tgt is None or p is None else f'≥{tgt:.1f}':>7}  {frac_col}  {' '.join(verdicts)}")


if __name__ == "__main__":
    main(sys.argv[1:])
