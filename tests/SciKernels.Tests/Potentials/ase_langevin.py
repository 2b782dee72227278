#!/usr/bin/env python3
"""Runs ASE's Langevin (ase.md.langevin.Langevin, fixcm=True) with ASE's EMT from a state and a noise
sequence given as JSON, and prints the final positions and velocities as JSON. The noise replaces the rng:
each step draws xi, then eta, of shape (N, 3), in that order. Exit 3 when ASE is not installed.

Usage: ase_langevin.py <input.json>
  input: {"numbers", "positions", "velocities", "cell", "pbc", "timestep_fs", "temperature_K",
          "friction_per_fs", "steps", "noise": [6 N values per step]}
"""
import json
import sys

try:
    import numpy as np
    from ase import Atoms, units
    from ase.calculators.emt import EMT
    from ase.md.langevin import Langevin
except ImportError as e:  # the C# test skips on this exit code
    print(f"ase unavailable: {e}", file=sys.stderr)
    sys.exit(3)


class Replay:
    """An rng whose standard_normal hands out the given numbers in order."""

    def __init__(self, values):
        self.values = np.asarray(values, dtype=float)
        self.at = 0

    def standard_normal(self, size):
        n = int(np.prod(size))
        out = self.values[self.at:self.at + n].reshape(size)
        self.at += n
        return out.copy()


d = json.load(open(sys.argv[1]))
n = len(d["numbers"])
atoms = Atoms(numbers=d["numbers"], positions=np.reshape(d["positions"], (n, 3)),
              cell=np.reshape(d["cell"], (3, 3)), pbc=d["pbc"])
atoms.calc = EMT()
atoms.set_velocities(np.reshape(d["velocities"], (n, 3)))
dyn = Langevin(atoms, d["timestep_fs"] * units.fs, temperature_K=d["temperature_K"],
               friction=d["friction_per_fs"] / units.fs, fixcm=True, rng=Replay(d["noise"]))
dyn.run(d["steps"])
print(json.dumps({"positions": atoms.positions.ravel().tolist(), "velocities": atoms.get_velocities().ravel().tolist(),
                  "energy": atoms.get_potential_energy()}))
