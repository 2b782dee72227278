#!/usr/bin/env bash
# Installs what the kernel tests need on a fresh Debian 12 machine (run as root):
#   - PoCL (CPU OpenCL device) + the ICD loader dev package so libOpenCL.so exists;
#   - Debian's python3-ase (ASE) for the neighbour-list cross-check (tests/SciKernels.Tests/Graphs);
#   - OpenMPI (mpirun, libmpi.so.40) for the 2-rank data-parallel tests (tests/SciKernels.Cli.Tests/DistributedTests);
#   - NVIDIA ptxas 11.8 extracted into <repo>/.cache/cuda (tools/ptxas/fetch-ptxas.sh).
# Idempotent. Prints the ptxas path on the last line.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

SUDO=""
if [[ "$(id -u)" != "0" ]]; then SUDO="sudo"; fi

if ! dpkg -s pocl-opencl-icd ocl-icd-opencl-dev >/dev/null 2>&1; then
  echo "install-deps: installing PoCL + OpenCL ICD loader ..." >&2
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    pocl-opencl-icd ocl-icd-opencl-dev ocl-icd-libopencl1 >&2
else
  echo "install-deps: PoCL already installed" >&2
fi

if ! dpkg -s python3-ase >/dev/null 2>&1; then
  echo "install-deps: installing python3-ase ..." >&2
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-ase >&2
else
  echo "install-deps: python3-ase already installed" >&2
fi

if ! dpkg -s openmpi-bin libopenmpi-dev >/dev/null 2>&1; then
  echo "install-deps: installing OpenMPI ..." >&2
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq openmpi-bin libopenmpi-dev >&2
else
  echo "install-deps: OpenMPI already installed" >&2
fi

bash "$repo_root/tools/ptxas/fetch-ptxas.sh"
