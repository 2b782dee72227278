#!/usr/bin/env bash
# The GPU check in one go, for a GPU machine that has the NVIDIA driver and PyTorch with CUDA but no
# .NET (the bundle from tools/gpu/build.sh carries its own runtime):
#   1. every device test case (kernel level and op level) on CUDA against the CPU backend;
#   2. the device benchmarks on CUDA (SciKernels), the same cases in PyTorch on CUDA, and SciKernels on
#      that machine's CPU;
#   3. one Markdown table (tools/gpu/table.py) of parity and milliseconds.
# Each stage has its own time limit and writes its file as it goes, so a cut-short run still reports.
# Without a CUDA device it says so, skips the CUDA stages and still runs the CPU benchmarks (the
# no-GPU path, tested on CI-like machines). Usage: tools/gpu/run.sh [OUTDIR]   (default $OUT, else runs/gpu)
# Stage limits (seconds) can be set: GPU_PARITY_S (200), GPU_BENCH_S (90), GPU_TORCH_S (120), GPU_CPU_S (50),
# GPU_TRAIN_S (60); the defaults add up to 520 s, inside the 8 minutes a lease allows one command.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="${1:-${OUT:-$repo/runs/gpu}}"
mkdir -p "$out"
exe="$here/.bundle/SciKernels.GpuCheck"
log="$out/run.log"
: >"$log"
say() { echo "$*" | tee -a "$log"; }
if [[ ! -x "$exe" ]]; then
  say "run.sh: $exe is missing: build it first with tools/gpu/build.sh (on a machine with the .NET SDK)"
  exit 2
fi
start=$(date +%s)
stage() { say "== $1 ($(( $(date +%s) - start )) s)"; }

# ILGPU loads the driver as libcuda.so; containers often have only libcuda.so.1 (DeviceContext falls
# back to it too; this also covers an older bundle).
cudalib=$(ldconfig -p 2>/dev/null | awk '/libcuda\.so\.1 / {print $NF; exit}')
if [[ -n "$cudalib" ]]; then
  mkdir -p /tmp/sk-cudalink && ln -sf "$cudalib" /tmp/sk-cudalink/libcuda.so
  export LD_LIBRARY_PATH="/tmp/sk-cudalink${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi

stage "machine"
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader 2>&1 | tee -a "$log"
else
  say "no nvidia-smi on this machine"
fi
say "cpus: $(nproc), python: $(command -v python3 || echo none)"
"$exe" devices 2>&1 | tee -a "$log"
has_cuda=0
"$exe" devices 2>/dev/null | grep -q '^Cuda' && has_cuda=1

py=python3
torch_cuda=0
if command -v "$py" >/dev/null && "$py" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then torch_cuda=1; fi
say "SciKernels sees CUDA: $has_cuda; PyTorch sees CUDA: $torch_cuda"
if command -v "$py" >/dev/null && "$py" -c 'import torch' 2>/dev/null; then
  stage "PyTorch's special-value semantics (the reference docs/semantics.md matches)"
  timeout 60 "$py" "$here/torch_semantics.py" 2>&1 | tee -a "$log" >/dev/null
fi

if (( has_cuda )); then
  stage "parity: every device test case on CUDA vs the CPU backend"
  timeout "${GPU_PARITY_S:-200}" "$exe" parity --backend cuda --out "$out" 2>&1 | tee -a "$log" | grep -v '^\[kernels-tests\]'
  stage "SciKernels on CUDA"
  timeout "${GPU_BENCH_S:-90}" "$exe" bench --device cuda:0 --json --budget $(( ${GPU_BENCH_S:-90} - 20 )) >"$out/sk-cuda.json" 2>>"$log" || say "SciKernels CUDA benchmarks stopped early (exit $?)"
else
  say "no CUDA device: the CUDA parity and benchmarks are skipped (this is the no-GPU path)"
fi

if (( torch_cuda )); then
  stage "PyTorch on CUDA"
  tstart=$(date +%s)
  : >"$out/torch-cuda.jsonl"
  for script in bench.py fno_bench.py stencil_bench.py pinn_bench.py; do
    left=$(( ${GPU_TORCH_S:-120} - ($(date +%s) - tstart) ))
    (( left > 5 )) || { say "PyTorch time limit reached before $script"; break; }
    timeout "$left" "$py" "$repo/benchmarks/pytorch/$script" --device cuda --json 2>>"$log" | tail -n 1 >>"$out/torch-cuda.jsonl" || say "$script stopped early"
  done
fi

stage "SciKernels on this machine's CPU"
timeout "${GPU_CPU_S:-50}" "$exe" bench --device cpu --json --budget $(( ${GPU_CPU_S:-50} - 20 )) >"$out/sk-cpu.json" 2>>"$log" || say "SciKernels CPU benchmarks stopped early (exit $?)"

if (( has_cuda )); then
  stage "end to end: scikernels train fno on CUDA (small Burgers run)"
  timeout "${GPU_TRAIN_S:-60}" "$exe" cli train fno --problem burgers --device cuda:0 --ntrain 200 --ntest 50 --epochs 5 \
    --out /tmp/sk-train-fno 2>&1 | tail -n 12 | tee -a "$log" || say "train fno stopped early"
fi

stage "table"
if command -v python3 >/dev/null; then
  python3 "$here/table.py" "$out" | tee "$out/gpu-table.md"
else
  say "no python3: raw results are in $out"
fi
say "done in $(( $(date +%s) - start )) s; files in $out"
