#!/usr/bin/env bash
# MD throughput, SciKernels vs ASE (issue 12 item 7), side by side in one run: EMT + velocity Verlet, 1 fs,
# on ase.build.bulk('Cu', 'fcc', a=3.61, cubic=True).repeat((n, n, n)) (864 and 10 976 atoms) started at
# 300 K. Runs SciKernels.Benchmarks --md-json, then benchmarks/ase/md_bench.py --json, and prints per case
# atom-steps/s of both (wall and per CPU-second), their ratio, and the load average before and after.
#
# Usage: benchmarks/compare_md.sh [--case NAME] [--threads N]
#   SK_BENCH_DLL=/path/SciKernels.Benchmarks.dll  use a prebuilt benchmark assembly.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
threads=2
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --case) extra+=(--case "$2"); shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    *) echo "compare_md.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
PY=/usr/bin/python3
if ! "$PY" -c 'import ase' 2>/dev/null; then
  echo "compare_md.sh: Debian's python3-ase is not installed (tools/ci/install-deps.sh installs it)." >&2
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
echo "SciKernels..." >&2
DOTNET_PROCESSOR_COUNT="$threads" dotnet "$dll" --md-json "${extra[@]}" > "$out/sk.json"
echo "load between: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "ASE..." >&2
OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS=1 "$PY" "$here/ase/md_bench.py" --json "${extra[@]}" | tail -n 1 > "$out/ase.json"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
"$PY" - "$out/sk.json" "$out/ase.json" <<'PYEOF'
import json, sys
sk = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
ase = json.loads(open(sys.argv[2]).read().strip().splitlines()[-1])
print(f"SciKernels {sk['threads']} threads; ASE {ase['ase']}, numpy {ase['numpy']}; ratio = SciKernels / ASE atom-steps/s")
print("| case | atoms | ASE atom-steps/s | SciKernels atom-steps/s | ratio (wall) | ratio (per CPU-second) | SciKernels drift (meV/atom) |")
print("|---|---:|---:|---:|---:|---:|---:|")
for n, s in sk["cases"].items():
    a = ase["cases"].get(n)
    if a is None:
        continue
    cpu_s = s["atoms"] * s["steps"] / s["cpu_seconds"]
    cpu_a = a["atoms"] * a["steps"] / a["cpu_seconds"]
    print(f"| {n} | {s['atoms']:.0f} | {a['atom_steps_per_s']:.0f} | {s['atom_steps_per_s']:.0f} | {s['atom_steps_per_s'] / a['atom_steps_per_s']:.0f}× "
          f"| {cpu_s / cpu_a:.0f}× | {s['drift_mev_per_atom']:.4f} |")
PYEOF
