#!/usr/bin/python3
"""Writes scipy_v5_compressed.mat: a Level 5 MAT file written by scipy.io.savemat with zlib compression
(one miCOMPRESSED element per variable, as MATLAB's -v7 does), holding numeric arrays of several classes
next to a struct, a cell and a char array that the reader skips.

Run: /usr/bin/python3 make_mat5_fixture.py   (Debian bookworm: python3-scipy 1.10)
"""
import numpy as np
import scipy.io

x = np.arange(24, dtype=np.float64).reshape(2, 3, 4) * 0.5 - 3       # x[i, j, k] = 0.5 (12 i + 4 j + k) - 3
scipy.io.savemat("scipy_v5_compressed.mat", {
    "x": x,
    "s": np.array([[1.5, -2.0, 3.25]], dtype=np.float32),
    "n": np.array([[7, -8], [9, 10]], dtype=np.int16),
    "big": np.zeros((64, 64)),                                            # compresses ~300:1
    "label": "abc",
    "cfg": {"a": 1.0},
    "cells": np.array([[1.0, "two"]], dtype=object),
}, do_compression=True, format="5")
