#!/usr/bin/env python3
"""Prints what the installed PyTorch returns for special inputs (NaN, ±inf, ±0, a denormal) in the
element-wise ops and reductions whose semantics SciKernels matches (docs/semantics.md), on the CPU
and, when present, on CUDA — a record of the reference, read on the machine that has it."""
import torch

VALUES = [float("nan"), float("inf"), -float("inf"), 0.0, -0.0, 1e-40, -1.5, 2.0]


def show(t):
    return "[" + ", ".join(repr(v) if v == v else "nan" for v in t.tolist()) + "]"


def main():
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    print(f"torch {torch.__version__}; inputs {VALUES} (float32)")
    for dev in devices:
        x = torch.tensor(VALUES, dtype=torch.float32, device=dev)
        one = torch.ones_like(x)
        rows = {
            "sign": torch.sign(x), "relu": torch.relu(x), "abs": torch.abs(x), "neg": -x,
            "clamp(-1,1)": torch.clamp(x, -1, 1), "maximum(x,1)": torch.maximum(x, one),
            "minimum(x,1)": torch.minimum(x, one), "sqrt": torch.sqrt(x), "exp": torch.exp(x),
            "log": torch.log(x), "tanh": torch.tanh(x), "sigmoid": torch.sigmoid(x),
            "gelu": torch.nn.functional.gelu(x), "x*1 (denormal kept?)": x * 1.0,
        }
        for name, y in rows.items():
            print(f"{dev:5s} {name:22s} {show(y)}")
        for name, f in (("amax", torch.amax), ("amin", torch.amin), ("sum", torch.sum)):
            print(f"{dev:5s} {name:22s} {show(f(x).reshape(1))}  (without NaN: {show(f(x[1:]).reshape(1))})")


if __name__ == "__main__":
    main()
