#!/usr/bin/env python3
"""MD throughput of ASE's EMT + VelocityVerlet in atom-steps per second, the case table of
benchmarks/SciKernels.Benchmarks/MdBench.cs: ase.build.bulk('Cu', 'fcc', a=3.61, cubic=True).repeat((n, n, n))
(4 n^3 atoms, periodic), Maxwell-Boltzmann velocities at 300 K (seeded) with zero total momentum, 1 fs steps,
WARMUP steps, then STEPS timed steps (every step one full EMT evaluation, as on the C# side).

Usage: md_bench.py [--json] [--case NAME]   (run with Debian's /usr/bin/python3 + python3-ase)
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from timing import cli_cases  # noqa: E402
import json
import time

import ase
import numpy as np
from ase import units
from ase.build import bulk
from ase.calculators.emt import EMT
from ase.md.velocitydistribution import MaxwellBoltzmannDistribution, Stationary
from ase.md.verlet import VelocityVerlet

A = 3.61
# name, repeat n (atoms = 4 n^3), warm-up steps, timed steps (ASE takes about 1 ms per atom and step)
CASES = [
    ("cu_864", 6, 1, 5),
    ("cu_10976", 14, 1, 2),
]


def main(argv):
    as_json, selected = cli_cases(argv, CASES)
    cases = {}
    for name, n, warmup, steps in selected:
        atoms = bulk("Cu", "fcc", a=A, cubic=True).repeat((n, n, n))
        atoms.calc = EMT()
        MaxwellBoltzmannDistribution(atoms, temperature_K=300, rng=np.random.default_rng(1))
        Stationary(atoms)
        dyn = VelocityVerlet(atoms, 1 * units.fs)
        dyn.run(warmup)
        e0 = atoms.get_total_energy()
        c0, t0 = time.process_time(), time.perf_counter()
        dyn.run(steps)
        s, cpu = time.perf_counter() - t0, time.process_time() - c0
        cases[name] = {"atoms": len(atoms), "steps": steps, "seconds": s, "cpu_seconds": cpu,
                       "atom_steps_per_s": len(atoms) * steps / s,
                       "drift_mev_per_atom": (atoms.get_total_energy() - e0) / len(atoms) * 1e3}
        print(f"{name:<10} {len(atoms):>7} atoms {steps} steps {s:8.2f} s {len(atoms) * steps / s:10.0f} atom-steps/s", file=sys.stderr, flush=True)
    if as_json:
        print(json.dumps({"impl": "ase", "ase": ase.__version__, "numpy": np.__version__, "cases": cases}))


if __name__ == "__main__":
    main(sys.argv[1:])
