#!/usr/bin/env bash
# Side-by-side SciKernels vs PyTorch for the operator-learning and optimizer cases (issue 5 item 7,
# issue 4 item 7): SpectralConv1d/2d forward+backward, FNO1d/FNO2d training steps, Adam over 1M
# parameters, one MLP epoch. Same protocol as compare.sh: ROUNDS alternating rounds (SciKernels
# --fno-quick-json, then pytorch/fno_bench.py), medians, ratio = PyTorch time / SciKernels time.
#
# Usage: benchmarks/compare_fno.sh [--rounds N] [--case NAME] [--threads N]
#   SK_BENCH_DLL=/path/SciKernels.Benchmarks.dll  use a prebuilt benchmark assembly.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
rounds=3
threads=2
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --case) extra+=(--case "$2"); shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    *) echo "compare_fno.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
PY=/usr/bin/python3
if ! "$PY" -c 'import torch' 2>/dev/null; then
  echo "compare_fno.sh: Debian's python3-torch is not installed ($PY -c 'import torch' fails)." >&2
  exit 2
fi
dll="${SK_BENCH_DLL:-}"
if [[ -z "$dll" ]]; then
  dotnet build -c Release "$here/SciKernels.Benchmarks" -v q -nologo >&2
  dll="$(ls "$here"/SciKernels.Benchmarks/bin/Release/net*/SciKernels.Benchmarks.dll | head -1)"
fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo "$(date -u '+%Y-%m-%d %H:%M UTC')  $(nproc) cores  $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)  load: $(cut -d' ' -f1-3 /proc/loadavg)  threads: $threads"
for ((r = 1; r <= rounds; r++)); do
  echo "round $r/$rounds: SciKernels..." >&2
  DOTNET_PROCESSOR_COUNT="$threads" dotnet "$dll" --fno-quick-json "${extra[@]}" > "$out/sk$r.json"
  echo "round $r/$rounds: PyTorch..." >&2
  GLIBC_TUNABLES="glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967296" \
    OMP_WAIT_POLICY=PASSIVE "$PY" "$here/pytorch/fno_bench.py" --json --threads "$threads" "${extra[@]}" > "$out/pt$r.json"
done
/usr/bin/python3 "$here/compare.py" "$out"/*.json
