#!/usr/bin/env python3
"""ASE's neighbour list on argon FCC supercells, timed with the protocol of benchmarks/pytorch/*.py
(warm-up >= 1 s and >= WARMUP calls, then the median over REPEATS samples of the mean of INNER calls).

The case table is shared (by value) with benchmarks/SciKernels.Benchmarks/NeighborListBench.cs:
ase.build.bulk('Ar', 'fcc', a=5.26, cubic=True).repeat((n, n, n)) = 4 n^3 atoms, periodic, cutoff 5 A,
ase.neighborlist.neighbor_list('ijSd', atoms, 5.0).

Usage: neighbors_bench.py [--json] [--case NAME]   (run with Debian's /usr/bin/python3 + python3-ase)
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
from ase.neighborlist import neighbor_list

A, CUTOFF = 5.26, 5.0
# name, repeat n (atoms = 4 n^3), warm-up calls, repeats, inner calls
CASES = [
    ("ar_864", 6, 3, 7, 3),
    ("ar_4000", 10, 2, 5, 1),
    ("ar_10976", 14, 1, 5, 1),
    ("ar_32000", 20, 1, 3, 1),
    ("ar_97556", 29, 1, 3, 1),
]




def main(argv):
    as_json, selected = cli_cases(argv, CASES)
    cases = {}
    for name, n, warmup, repeats, inner in selected:
        atoms = bulk("Ar", "fcc", a=A, cubic=True).repeat((n, n, n))
        pairs = len(neighbor_list("i", atoms, CUTOFF))
        ms = median_ms(lambda: neighbor_list("ijSd", atoms, CUTOFF), warmup, repeats, inner)
        # processor time of a few more calls: less sensitive than wall time to other load on the machine
        c0 = time.process_time()
        for _ in range(repeats):
            neighbor_list("ijSd", atoms, CUTOFF)
        cpu_ms = (time.process_time() - c0) * 1e3 / repeats
        cases[name] = {"ms": ms, "atoms": len(atoms), "pairs": pairs, "us_per_atom": ms * 1e3 / len(atoms), "cpu_ms": cpu_ms}
        if not as_json:
            print(f"{name:<10} {len(atoms):>7} atoms {pairs:>9} pairs {ms:10.2f} ms {ms * 1e3 / len(atoms):8.3f} us/atom  cpu {cpu_ms:10.2f} ms", flush=True)
    if as_json:
        print(json.dumps({"impl": "ase", "ase": ase.__version__, "numpy": np.__version__, "cases": cases}))


if __name__ == "__main__":
    main(sys.argv[1:])
