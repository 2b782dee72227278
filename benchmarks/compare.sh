#!/usr/bin/env bash
# Side-by-side SciKernels vs PyTorch on the same machine in one go.
# Runs ROUNDS alternating rounds (SciKernels --quick-json, then PyTorch) so both sides see the
# same background load, then prints medians and ratios (PyTorch time / SciKernels time; > 1 means
# SciKernels is faster). Figures vary ±30% between runs on a shared VM: compare within one run.
#
# Usage: benchmarks/compare.sh [--suite core|fno|egnn|all] [--rounds N] [--case NAME] [--threads N]
#   --suite all  every hot path in one run (SciKernels.Benchmarks --suite-json: core ops, spectral
#                layers, FNO steps, Adam, 2-D/3-D stencils forward and forward+backward, the PINN
#                step with Taylor and reverse-over-reverse derivatives) against bench.py, fno_bench.py,
#                stencil_bench.py and pinn_bench.py, with each case's fraction of the machine's limit
#                (GEMM FLOP/s and copy bandwidth measured in the same run).
#   --suite egnn the equivariant message-passing cases alone (egnn_nbody_f/_step, egnn_radius_f/_step;
#                SciKernels --suite-json --case egnn against pytorch/egnn_bench.py; also part of --suite all),
#                then the neighbour lists against ASE (compare_neighbors.sh).
#   --suite fno  the operator-learning and optimizer cases (SpectralConv1d/2d, FNO1d/2d steps,
#                Adam over 1M parameters, one MLP epoch) against pytorch/fno_bench.py
#   --threads 1  single-threaded on both sides (DOTNET_PROCESSOR_COUNT=1 / torch.set_num_threads(1)):
#                per-core efficiency, much less sensitive to other load on the machine.
#   SK_BENCH_DLL=/path/SciKernels.Benchmarks.dll  use a prebuilt benchmark assembly
#                 (e.g. a scratch build outside the repo) instead of building the repo project.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
rounds=3
threads=2
suite=core
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --case) extra+=(--case "$2"); shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --suite) suite="$2"; shift 2 ;;
    *) echo "compare.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
case "$suite" in
  core) sk_mode=--quick-json; pt_scripts=(bench.py) ;;
  fno) sk_mode=--fno-quick-json; pt_scripts=(fno_bench.py) ;;
  all) sk_mode=--suite-json; pt_scripts=(bench.py fno_bench.py stencil_bench.py pinn_bench.py egnn_bench.py) ;;
  egnn) sk_mode=--suite-json; pt_scripts=(egnn_bench.py); [[ ${#extra[@]} -eq 0 ]] && extra=(--case egnn) ;;
  *) echo "compare.sh: --suite must be core, fno, egnn or all, got $suite" >&2; exit 2 ;;
esac
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
  DOTNET_PROCESSOR_COUNT="$threads" dotnet "$dll" "$sk_mode" "${extra[@]}" > "$out/sk$r.json"
  echo "round $r/$rounds: PyTorch..." >&2
  for pt_script in "${pt_scripts[@]}"; do
    # --case filters inside each script; pinn_bench.py has a single case and takes no --case.
    args=(--json --threads "$threads")
    if [[ "$pt_script" == pinn_bench.py ]]; then
      [[ ${#extra[@]} -gt 0 && "pinn_ror_step pinn_taylor_step" != *"${extra[1]}"* ]] && continue
    else
      args+=("${extra[@]}")
    fi
    SK_TORCH_SCRIPT="$pt_script" "$here/pytorch/run.sh" "${args[@]}" | tail -n 1 >> "$out/pt$r.json"
  done
done
/usr/bin/python3 "$here/compare.py" "$out"/*.json
status=$?
# The equivariant suite also covers the neighbour lists, against ASE (issue 11: one command for all cases).
if [[ "$suite" == egnn && $status -eq 0 ]]; then
  echo
  "$here/compare_neighbors.sh" --rounds "$rounds"
  status=$?
fi
exit $status
