"""What the PyTorch benchmark scripts (bench.py, fno_bench.py, stencil_bench.py, pinn_bench.py) share:
the --device set-up and the median-of-repeats timing protocol (the one of SciKernels' Timing.MedianMs)."""
import os
import statistics
import sys
import time

import torch

WARMUP_SECONDS = 1.0  # as SciKernels' Timing.WarmupSeconds


def setup_device(device, threads):
    """cpu: torch.set_num_threads(threads), no sync. cuda: fail fast without a GPU; FP32 math (TF32
    off, as the float32 CPU runs); returns the sync every timed call ends with."""
    if device == "cuda":
        if not torch.cuda.is_available():
            sys.exit(f"{os.path.basename(sys.argv[0])}: --device cuda: CUDA not available "
                     f"(torch {torch.__version__}, built with CUDA {torch.version.cuda or 'none'})")
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cudnn.benchmark = True  # fixed shapes: cuDNN picks its fastest algorithm during warm-up
        return torch.device("cuda"), torch.cuda.synchronize
    torch.set_num_threads(threads)
    return torch.device("cpu"), None


def device_info(device):
    """Fields added to the JSON object: the device and, on cuda, which GPU."""
    if device.type != "cuda":
        return {"device": "cpu"}
    return {"device": "cuda", "gpu": torch.cuda.get_device_name(device), "cuda": torch.version.cuda}


def median_ms(call, warmup, repeats, inner, sync=None):
    if sync is not None:  # cuda: each call (warm-up and timed) ends when the device has finished it
        fn = call

        def call():
            fn()
            sync()
    t0 = time.perf_counter()
    i = 0
    while i < warmup or time.perf_counter() - t0 < WARMUP_SECONDS:
        call()
        i += 1
    samples = []
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(inner):
            call()
        samples.append((time.perf_counter() - t) * 1e3 / inner)
    return statistics.median(samples)
