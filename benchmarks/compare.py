#!/usr/bin/env python3
"""Merges rounds of `SciKernels.Benchmarks --quick-json` and `pytorch/run.sh --json` output
(one JSON object per line, any order) and prints the side-by-side table.
ratio = PyTorch time / SciKernels time (> 1 means SciKernels is faster)."""
import json
import statistics
import sys

TARGETS = {"matmul_512": 1.0, "matmul_2048": 1.0, "add_16M": 0.9, "tanh_16M": 0.9, "exp_16M": 0.9,
           "sum_16M": 0.9, "mlp_step": 1.0,
           # operator learning / optimizers (compare_fno.sh; issue 5 item 7, issue 4 item 7)
           "spectral1d_fb": 1.2, "spectral2d_fb": 1.2, "fno1d_step": 1.2, "fno2d_step": 1.2,
           "adam_1M": 1.0, "mlp_epoch": 1.0}


def main(paths):
    runs = {"scikernels": [], "pytorch": []}
    for p in paths:
        with open(p) as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    obj = json.loads(line)
                    runs[obj["impl"]].append(obj)
    sk, pt = runs["scikernels"], runs["pytorch"]
    if not sk or not pt:
        sys.exit("compare.py: need at least one SciKernels and one PyTorch result")
    print(f"rounds: SciKernels {len(sk)}, PyTorch {len(pt)} (torch {pt[0].get('torch')}, {pt[0].get('threads')} threads); "
          "per-case figure = median over rounds of each round's median")
    hdr = f"{'case':<14} {'SciKernels':>22} {'PyTorch':>22} {'ratio':>7} {'target':>7}  "
    print(hdr)
    print("-" * len(hdr))
    names = [n for n in TARGETS if any(n in r["cases"] for r in sk)] + \
            [n for n in sk[0]["cases"] if n not in TARGETS]
    for n in names:
        sms = [r["cases"][n]["ms"] for r in sk if n in r["cases"]]
        pms = [r["cases"][n]["ms"] for r in pt if n in r["cases"]]
        if not sms or not pms:
            continue
        s, p = statistics.median(sms), statistics.median(pms)
        unit = sk[0]["cases"][n]["unit"]
        srate = sk[0]["cases"][n]["rate"] * sk[0]["cases"][n]["ms"] / s
        prate = srate * s / p
        ratio = p / s
        tgt = TARGETS.get(n)
        verdict = "" if tgt is None else ("ok" if ratio >= tgt else "MISS")
        print(f"{n:<14} {s:8.3f} ms {srate:6.1f} {unit:<7}{p:8.3f} ms {prate:6.1f} {unit:<7}{ratio:6.2f}x "
              f"{'' if tgt is None else f'≥{tgt:.1f}':>7}  {verdict}")


if __name__ == "__main__":
    main(sys.argv[1:])
