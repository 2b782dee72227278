#!/usr/bin/env bash
# The LJ13 diffusion denoiser (issue 13) side by side with plain PyTorch in one go: SciKernels exports
# its weights and a check input and times a training step (batch 32) and ancestral sampling; then
# pytorch/diffusion_bench.py loads the same weights, checks it computes the same eps-hat, loss and
# gradient norm, and times the same two cases. Prints both JSON lines with the load average.
# Usage: benchmarks/compare_diffusion.sh [--samples N] [--coords sum|mean] [--threads N]
#   SK_BENCH_DLL=/path/SciKernels.Benchmarks.dll  use a prebuilt benchmark assembly.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
samples=64
coords=sum
threads=2
while [[ $# -gt 0 ]]; do
  case "$1" in
    --samples) samples="$2"; shift 2 ;;
    --coords) coords="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    *) echo "compare_diffusion.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
dll="${SK_BENCH_DLL:-}"
if [[ -z "$dll" ]]; then
  dotnet build -c Release "$here/SciKernels.Benchmarks" -v q -nologo >&2
  dll="$(ls "$here"/SciKernels.Benchmarks/bin/Release/net*/SciKernels.Benchmarks.dll | head -1)"
fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo "$(date -u '+%Y-%m-%d %H:%M UTC')  $(nproc) cores  load: $(cut -d' ' -f1-3 /proc/loadavg)  threads: $threads"
DOTNET_PROCESSOR_COUNT="$threads" dotnet "$dll" --diffusion --coords "$coords" --samples "$samples" --export "$out"
SK_TORCH_SCRIPT=diffusion_bench.py "$here/pytorch/run.sh" "$out" --samples "$samples" --threads "$threads"
