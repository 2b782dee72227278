#!/usr/bin/env python3
"""The reference numbers of CellRelaxationTests.StrainedFccRelaxesToTheEmtLatticeConstant, computed once with
ASE (3.22.1): EMT's FCC lattice constants from FIRE over positions and cell (UnitCellFilter), fmax 1e-6.

Usage: /usr/bin/python3 ase_fcc_lattice_constants.py   (prints: symbol a0 energy-per-atom)
"""
from ase.build import bulk
from ase.calculators.emt import EMT
from ase.constraints import UnitCellFilter
from ase.optimize import FIRE

for symbol, guess in [("Cu", 3.6), ("Au", 4.0)]:
    atoms = bulk(symbol, "fcc", a=guess, cubic=True)
    atoms.calc = EMT()
    FIRE(UnitCellFilter(atoms), logfile=None).run(fmax=1e-6)
    print(symbol, f"{atoms.cell.cellpar()[0]:.8f}", atoms.get_potential_energy() / len(atoms))
