#!/usr/bin/env python3
"""Reference EMT results from ASE for the C# cross-check (EmtAseTests.cs).

Usage:
  ase_emt.py <outfile.json> <seed>

Builds a fixed list of systems (random displacements from <seed>), runs ase.calculators.emt.EMT on
each and writes a JSON list of {name, numbers, positions, cell, pbc, energy, energies, forces,
stress} with full float64 precision (stress is null without a cell). Exit status 0 on success; 3
when ASE is not installed.
"""
import json
import sys

try:
    import numpy as np
    from ase import Atoms
    from ase.build import bulk, fcc111
    from ase.calculators.emt import EMT
except ImportError as e:  # the C# test skips on this exit code
    print(f"ase unavailable: {e}", file=sys.stderr)
    sys.exit(3)


def rattle(atoms, rng, amount):
    atoms.positions += amount * (2 * rng.random((len(atoms), 3)) - 1)
    return atoms


def cases(rng):
    yield "Cu fcc 3x3x3 rattled", rattle(bulk("Cu", "fcc", a=3.6, cubic=True).repeat(3), rng, 0.1)
    tri = bulk("Cu", "fcc", a=3.61).repeat((3, 3, 3))
    strain = np.eye(3) + 0.06 * (2 * rng.random((3, 3)) - 1)
    tri.set_cell(tri.cell @ strain, scale_atoms=True)
    yield "Cu triclinic strained", rattle(tri, rng, 0.1)
    vac = bulk("Cu", "fcc", a=3.6, cubic=True).repeat(3)
    del vac[13]
    yield "Cu vacancy", rattle(vac, rng, 0.05)
    slab = fcc111("Cu", size=(3, 3, 4), vacuum=6.0)
    yield "Cu(111) slab, z open", rattle(slab, rng, 0.1)
    alloy = bulk("Cu", "fcc", a=3.75, cubic=True).repeat(3)
    alloy.numbers[rng.random(len(alloy)) < 0.5] = 79
    yield "Cu-Au alloy", rattle(alloy, rng, 0.1)
    for sym, a in (("Al", 4.05), ("Ni", 3.52), ("Pd", 3.89), ("Pt", 3.92), ("Ag", 4.09)):
        yield f"{sym} fcc 2x2x2 rattled", rattle(bulk(sym, "fcc", a=a, cubic=True).repeat(2), rng, 0.1)
    yield "Cu primitive (1 atom, many images)", bulk("Cu", "fcc", a=3.58)
    small = Atoms("CuAu", positions=[[0, 0, 0], [1.3, 1.4, 1.2]],
                  cell=[[2.6, 0.2, 0.1], [0.3, 2.7, -0.2], [-0.1, 0.4, 2.8]], pbc=True)
    yield "CuAu small triclinic (several images)", rattle(small, rng, 0.1)
    wire = rattle(bulk("Ni", "fcc", a=3.52, cubic=True).repeat((1, 1, 3)), rng, 0.1)
    wire.pbc = (False, False, True)
    yield "Ni wire, x y open", wire
    cluster = rattle(bulk("Pt", "fcc", a=3.92, cubic=True).repeat(2), rng, 0.1)
    cluster.pbc = False
    cluster.set_cell(np.zeros((3, 3)))  # no cell at all: ASE has no stress there
    yield "Pt cluster, open", cluster
    mixed = bulk("Cu", "fcc", a=3.7, cubic=True).repeat(2)
    mixed.numbers[[1, 5, 9, 13]] = [1, 6, 7, 8]
    yield "Cu with H C N O", rattle(mixed, rng, 0.1)


def main():
    out, seed = sys.argv[1], int(sys.argv[2])
    rng = np.random.default_rng(seed)
    rows = []
    for name, atoms in cases(rng):
        atoms.calc = EMT()
        stress = atoms.get_stress().tolist() if atoms.cell.rank == 3 else None
        rows.append({
            "name": name,
            "numbers": atoms.numbers.tolist(),
            "positions": atoms.positions.ravel().tolist(),
            "cell": atoms.cell.array.ravel().tolist() if atoms.cell.rank == 3 else [],
            "pbc": atoms.pbc.tolist(),
            "energy": atoms.get_potential_energy(),
            "energies": atoms.get_potential_energies().tolist(),
            "forces": atoms.get_forces().ravel().tolist(),
            "stress": stress,
        })
    with open(out, "w") as f:
        json.dump(rows, f)  # json writes floats with repr(), which round-trips float64
    print(f"OK {len(rows)} cases")


if __name__ == "__main__":
    main()
