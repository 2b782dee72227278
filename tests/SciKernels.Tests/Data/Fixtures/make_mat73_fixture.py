#!/usr/bin/env python3
"""Writes matlab73_small.mat: a MAT v7.3 file in MATLAB's layout, written by libhdf5 (through h5py).

MATLAB itself was not available; this mimics what it writes: a 512-byte user block starting with the
MATLAB header text (version 0x0200, 'IM'), the oldest HDF5 file format (superblock 0, v1 B-trees), one
root dataset per variable with a fixed-length ASCII MATLAB_class attribute, HDF5 dims = MATLAB dims
reversed (the data is MATLAB's column-major order), large variables chunked and gzip-compressed.

Usage: python3 make_mat73_fixture.py [out.mat]   (needs numpy and h5py; Debian: python3-h5py)
The values are closed-form so MatFile73Tests.ReadsAFileWrittenByLibhdf5 can check every element.
"""
import sys

import h5py
import numpy as np


def matlab_dataset(f, name, array, cls, chunked=False):
    # A MATLAB array of shape (d0, d1, ...) is stored column-major: the HDF5 dataset is its transpose.
    data = np.ascontiguousarray(array.T)
    # Several chunks per variable, so the v1 B-tree chunk index has more than one entry.
    chunks = tuple(max(1, d // 2) for d in data.shape)
    kwargs = dict(chunks=chunks, compression="gzip", compression_opts=3, shuffle=True) if chunked else {}
    ds = f.create_dataset(name, data=data, **kwargs)
    ds.attrs.create("MATLAB_class", np.bytes_(cls), dtype=h5py.string_dtype("ascii", len(cls)))
    return ds


def main(path):
    c, i, j, t = np.meshgrid(np.arange(3), np.arange(8), np.arange(8), np.arange(2), indexing="ij")
    a = (c + 0.25 * i - 0.125 * j)[..., 0].astype(np.float32)              # a[c, i, j], MATLAB [3, 8, 8]
    u = (10 * c + i + 0.5 * j + 0.25 * t).astype(np.float32)               # u[c, i, j, t], MATLAB [3, 8, 8, 2]
    cc, ii, jj = np.meshgrid(np.arange(2), np.arange(5), np.arange(5), indexing="ij")
    coeff = (cc + ii).astype(np.float64)                                     # coeff[c, i, j], MATLAB [2, 5, 5]
    sol = (10.0 * cc + jj).astype(np.float64)
    with h5py.File(path, "w", userblock_size=512, libver="earliest") as f:
        matlab_dataset(f, "a", a, "single", chunked=True)
        matlab_dataset(f, "u", u, "single", chunked=True)
        matlab_dataset(f, "coeff", coeff, "double")
        matlab_dataset(f, "sol", sol, "double")
        matlab_dataset(f, "n", np.array([[42]], dtype=np.int32), "int32")
        matlab_dataset(f, "label", np.array([[ord(ch) for ch in "abc"]], dtype=np.uint16), "char")
    header = b"MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Nov 23 00:00:00 2026 HDF5 schema 1.00 ."
    with open(path, "r+b") as f:
        f.write(header.ljust(116, b" ") + b"\0" * 8 + b"\x00\x02IM")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "matlab73_small.mat")
