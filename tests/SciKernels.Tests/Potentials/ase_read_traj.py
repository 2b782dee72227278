#!/usr/bin/env python3
"""Reads an extended-XYZ trajectory with ase.io.read and prints, per frame, what ASE sees as JSON:
positions, energy, forces and Voigt stress (null without one). Exit 3 when ASE is not installed.

Usage: ase_read_traj.py <file.extxyz>
"""
import json
import sys

try:
    from ase.io import read
except ImportError as e:  # the C# test skips on this exit code
    print(f"ase unavailable: {e}", file=sys.stderr)
    sys.exit(3)

frames = []
for atoms in read(sys.argv[1], index=":"):
    frames.append({
        "symbols": atoms.get_chemical_symbols(),
        "positions": atoms.positions.ravel().tolist(),
        "energy": atoms.get_potential_energy(),
        "forces": atoms.get_forces().ravel().tolist(),
        "stress": atoms.get_stress().tolist() if "stress" in atoms.calc.results else None,
    })
print(json.dumps(frames))
