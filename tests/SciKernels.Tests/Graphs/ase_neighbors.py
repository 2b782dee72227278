#!/usr/bin/env python3
"""Reference neighbour lists from ASE for the C# cross-check (NeighborListAseTests.cs).

Usage:
  ase_neighbors.py <outdir> <seed> <count>

Writes <outdir>/case_<k>.extxyz (one random triclinic system each, its cutoff in the comment line
as cutoff=R) and <outdir>/case_<k>.csv with ASE's neighbor_list('ijSd') as i,j,sx,sy,sz,d rows,
sorted by (i, j, S), distances in repr() precision. The neighbour list is computed from the atoms
read back from the written file, so both sides start from the same (rounded) numbers.
Exit status 0 on success; 3 when ASE is not installed.
"""
import os
import sys

try:
    import numpy as np
    from ase import Atoms
    from ase.io import read, write
    from ase.neighborlist import neighbor_list
except ImportError as e:  # the C# test skips on this exit code
    print(f"ase unavailable: {e}", file=sys.stderr)
    sys.exit(3)


def random_case(rng, k):
    kind = ("tiny", "skewed", "ordinary", "ordinary")[k % 4]
    length = 0.6 + rng.random() if kind == "tiny" else 2 + 4 * rng.random()
    while True:
        off = 0.9 if kind == "skewed" else 0.25
        cell = length * np.where(np.eye(3) == 1, 0.7 + 0.6 * rng.random((3, 3)), off * (2 * rng.random((3, 3)) - 1))
        if np.linalg.det(cell) < 0:
            cell[0] = -cell[0]  # right-handed, as SciKernels requires
        if abs(np.linalg.det(cell)) > 0.05 * length ** 3:
            break
    n = 1 + int(rng.integers(0, 24 if k % 5 else 120))
    frac = -0.3 + 1.6 * rng.random((n, 3))  # partly outside the cell: positions need not be wrapped
    pbc = rng.random(3) < 0.75
    cutoff = 1.5 + 2 * rng.random() if kind == "tiny" else 0.5 + 3 * rng.random()
    atoms = Atoms(symbols=["Ar"] * n, positions=frac @ cell, cell=cell, pbc=pbc)
    atoms.info["cutoff"] = float(cutoff)
    return atoms


def main():
    outdir, seed, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = np.random.default_rng(seed)
    for k in range(count):
        path = os.path.join(outdir, f"case_{k}.extxyz")
        write(path, random_case(rng, k), format="extxyz")
        atoms = read(path, format="extxyz")
        cutoff = float(atoms.info["cutoff"])
        i, j, S, d = neighbor_list("ijSd", atoms, cutoff)
        order = np.lexsort((S[:, 2], S[:, 1], S[:, 0], j, i))
        with open(os.path.join(outdir, f"case_{k}.csv"), "w") as f:
            f.write("i,j,sx,sy,sz,d\n")
            for p in order:
                f.write(f"{i[p]},{j[p]},{S[p, 0]},{S[p, 1]},{S[p, 2]},{d[p]!r}\n")
    print(f"OK {count} cases")


if __name__ == "__main__":
    main()
