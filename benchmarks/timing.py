"""The side-by-side timing protocol shared by the Python benchmark scripts (no torch import).

At least `warmup` calls and at least `warmup_seconds` of warm-up, then `repeats` samples of `inner`
calls each; returns the median per-call time in milliseconds (benchmarks/README.md).
"""
import statistics
import time


def median_ms(call, warmup, repeats, inner, warmup_seconds=1.0):
    t0 = time.perf_counter()
    i = 0
    while i < warmup or time.perf_counter() - t0 < warmup_seconds:
        call()
        i += 1
    samples = []
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(inner):
            call()
        samples.append((time.perf_counter() - t) * 1e3 / inner)
    return statistics.median(samples)


def cli_cases(argv, cases):
    """The common command line of the side-by-side scripts: (--json given, the cases whose name contains --case NAME)."""
    only = argv[argv.index("--case") + 1] if "--case" in argv else None
    return "--json" in argv, [c for c in cases if not only or only in c[0]]
