#!/usr/bin/env python3
"""Reads a CIF or extended-XYZ file with ase.io.read and prints, per structure, what ASE sees as JSON:
symbols, cell, scaled positions, and energy, forces and Voigt stress when the file has them.
Exit 3 when ASE is not installed.

Usage: ase_read_crystal.py <file.cif|file.xyz>
"""
import json
import sys

try:
    from ase.io import read
except ImportError as e:  # the C# test skips on this exit code
    print(f"ase unavailable: {e}", file=sys.stderr)
    sys.exit(3)

out = []
for atoms in read(sys.argv[1], index=":"):
    item = {
        "symbols": atoms.get_chemical_symbols(),
        "cell": atoms.cell.array.ravel().tolist(),
        "pbc": [bool(p) for p in atoms.pbc],
        "scaled": atoms.get_scaled_positions(wrap=False).ravel().tolist(),
        "positions": atoms.positions.ravel().tolist(),
        "info": {k: v for k, v in atoms.info.items() if isinstance(v, (str, int, float))},
    }
    if atoms.calc is not None:
        item["energy"] = atoms.get_potential_energy()
        item["forces"] = atoms.get_forces().ravel().tolist()
        item["stress"] = atoms.get_stress().tolist()
    out.append(item)
print(json.dumps(out))
