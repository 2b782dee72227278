#!/usr/bin/env python3
"""Merges tools/gpu/run.sh's result files into one Markdown table (stdout).

Reads from the folder given: parity-cuda.md (the device test cases on CUDA), sk-cuda.json and
sk-cpu.json (SciKernels.GpuCheck bench --json), torch-cuda.jsonl (one JSON object per PyTorch script,
`--device cuda --json`) and run.log (the machine line). Missing files show as n/a.
Standard library only.
"""
import json
import os
import sys


def load_cases(path, many=False):
    """{case: {"ms": …} or {"error": …}} from one JSON object, or a JSON-lines file of them."""
    cases = {}
    if not os.path.exists(path):
        return cases
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines() if many else [f.read()]
    for line in lines:
        line = line.strip()
        if not line:
            continue
        try:
            cases.update(json.loads(line).get("cases", {}))
        except json.JSONDecodeError:
            pass  # a script cut short by its time limit
    return cases


def ms(entry):
    if entry is None:
        return None
    return entry.get("ms")


def fmt(v):
    if v is None:
        return "n/a"
    return f"{v:.3f}" if v < 10 else f"{v:.1f}"


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "."
    sk_cuda = load_cases(os.path.join(d, "sk-cuda.json"))
    sk_cpu = load_cases(os.path.join(d, "sk-cpu.json"))
    torch_cuda = load_cases(os.path.join(d, "torch-cuda.jsonl"), many=True)
    names = list(dict.fromkeys(list(sk_cuda) + list(sk_cpu) + list(torch_cuda)))

    machine = ""
    log = os.path.join(d, "run.log")
    if os.path.exists(log):
        with open(log, encoding="utf-8") as f:
            lines = f.read().splitlines()
        for i, line in enumerate(lines):
            if line.startswith("== machine") and i + 1 < len(lines):
                machine = lines[i + 1]
                break

    print("## GPU check" + (f" — {machine}" if machine else ""))
    print()
    parity = os.path.join(d, "parity-cuda.md")
    if os.path.exists(parity):
        with open(parity, encoding="utf-8") as f:
            print(f.read().rstrip())
    else:
        print("Parity on CUDA: not run (no CUDA device, or the stage did not finish).")
    print()
    print("### Milliseconds per call (median; each call ends with a device synchronisation)")
    print()
    print("| case | SciKernels CUDA | PyTorch CUDA | PyTorch / SciKernels | SciKernels CPU | CPU / CUDA |")
    print("|---|---:|---:|---:|---:|---:|")
    errors = []
    for n in names:
        a, b, c = ms(sk_cuda.get(n)), ms(torch_cuda.get(n)), ms(sk_cpu.get(n))
        for who, src in (("SciKernels CUDA", sk_cuda), ("PyTorch CUDA", torch_cuda), ("SciKernels CPU", sk_cpu)):
            if n in src and "error" in src[n]:
                errors.append(f"- `{n}` on {who}: {src[n]['error']}")
        ratio = f"{b / a:.2f}×" if a and b else "n/a"
        speed = f"{c / a:.1f}×" if a and c else "n/a"
        print(f"| {n} | {fmt(a)} | {fmt(b)} | {ratio} | {fmt(c)} | {speed} |")
    if errors:
        print()
        print("Cases that did not run:")
        print("\n".join(errors))


if __name__ == "__main__":
    main()
