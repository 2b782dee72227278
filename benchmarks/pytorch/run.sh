#!/usr/bin/env bash
# Runs benchmarks/pytorch/bench.py under Debian's python3-torch with the settings that make
# PyTorch fast on this VM (without them it is 3-10x slower and the comparison flatters SciKernels):
#   * Debian's /usr/bin/python3 (a pyenv python3 may come first on PATH and has no torch),
#   * glibc malloc: mmap threshold raised to 32 MiB and trim threshold to 4 GiB so they are reused
#     rather than mmap'ed and page-faulted afresh on every op, never trim, use huge pages,
#   * OMP_WAIT_POLICY=PASSIVE (spinning OpenMP workers fight for the 2 cores), 2 threads.
# Installs nothing. To install:  apt-get update && apt-get install -y python3-torch libopenblas0-pthread
# Usage: benchmarks/pytorch/run.sh [--json] [--case NAME] [--threads N]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY=/usr/bin/python3
if ! "$PY" -c 'import torch' 2>/dev/null; then
  echo "run.sh: Debian's python3-torch is not installed (needed: $PY -c 'import torch')." >&2
  echo "        install with: apt-get update && apt-get install -y python3-torch libopenblas0-pthread" >&2
  exit 2
fi
export GLIBC_TUNABLES="glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967296"
export OMP_WAIT_POLICY=PASSIVE
# SK_TORCH_SCRIPT picks another case file in this folder (compare.sh --suite fno: fno_bench.py).
exec "$PY" "$here/${SK_TORCH_SCRIPT:-bench.py}" "$@"
