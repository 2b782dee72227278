#!/usr/bin/env python3
"""Reads a generated extended-XYZ data set with ase.io.read and prints, per frame, what ASE sees (symbols,
positions, cell, pbc, info, the stored energy/forces/stress) and what ASE's own EMT gives on the same
atoms, as JSON. Exit 3 when ASE is not installed.

Usage: ase_check_dataset.py <file.extxyz>
"""
import json
import sys

try:
    from ase.io import read
    from ase.calculators.emt import EMT
except ImportError as e:  # the C# test skips on this exit code
    print(f"ase unavailable: {e}", file=sys.stderr)
    sys.exit(3)

frames = []
for atoms in read(sys.argv[1], index=":"):
    stored = {
        "energy": atoms.get_potential_energy(),
        "forces": atoms.get_forces().ravel().tolist(),
        "stress": atoms.get_stress().tolist(),
    }
    fresh = atoms.copy()
    fresh.calc = EMT()
    frames.append({
        "symbols": atoms.get_chemical_symbols(),
        "positions": atoms.positions.ravel().tolist(),
        "cell": atoms.cell.array.ravel().tolist(),
        "pbc": [bool(b) for b in atoms.pbc],
        "info": {k: (v if isinstance(v, (int, float, str)) else str(v)) for k, v in atoms.info.items()},
        "stored": stored,
        "emt": {
            "energy": fresh.get_potential_energy(),
            "forces": fresh.get_forces().ravel().tolist(),
            "stress": fresh.get_stress().tolist(),
        },
    })
print(json.dumps(frames))
