#!/usr/bin/env python3
"""ASE's EMT calculator (energy + forces) on Cu FCC supercells, timed with the protocol of
benchmarks/pytorch/*.py (warm-up >= 1 s and >= WARMUP calls, then the median over REPEATS samples of
the mean of INNER calls).

The case table is shared (by value) with benchmarks/SciKernels.Benchmarks/EmtBench.cs:
ase.build.bulk('Cu', 'fcc', a=3.61, cubic=True).repeat((n, n, n)) = 4 n^3 atoms, periodic,
EMT() energy and forces recomputed each call (the calculator's cache is reset).

Usage: emt_bench.py [--json] [--case NAME]   (run with Debian's /usr/bin/python3 + python3-ase)
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from timing import cli_cases, median_ms  # noqa: E402
import json
import time

import ase
import numpy as np
from ase.build import bulk
from ase.calculators.emt import EMT

A = 3.61
# name, repeat n (atoms = 4 n^3), warm-up calls, repeats, inner calls
CASES = [
    ("cu_864", 6, 1, 3, 1),
    ("cu_10976", 14, 1, 1, 1),
]


def energy_forces(atoms):
    atoms.calc.reset()  # force a full recomputation, as the C# side does every call
    atoms.get_potential_energy()
    atoms.get_forces()


def main(argv):
    as_json, selected = cli_cases(argv, CASES)
    cases = {}
    for name, n, warmup, repeats, inner in selected:
        atoms = bulk("Cu", "fcc", a=A, cubic=True).repeat((n, n, n))
        atoms.calc = EMT()
        c0 = time.process_time()
        ms = median_ms(lambda: energy_forces(atoms), warmup, repeats, inner, warmup_seconds=0.0)
        calls = warmup + repeats * inner
        cpu_ms = (time.process_time() - c0) * 1e3 / calls
        cases[name] = {"ms": ms, "atoms": len(atoms), "us_per_atom": ms * 1e3 / len(atoms), "cpu_ms": cpu_ms,
                       "energy": atoms.get_potential_energy()}
        if not as_json:
            print(f"{name:<10} {len(atoms):>7} atoms {ms:12.2f} ms {ms * 1e3 / len(atoms):10.3f} us/atom  cpu {cpu_ms:12.2f} ms",
                  flush=True)
    if as_json:
        print(json.dumps({"impl": "ase", "ase": ase.__version__, "numpy": np.__version__, "cases": cases}))


if __name__ == "__main__":
    main(sys.argv[1:])
