#!/usr/bin/env bash
# Neighbour lists, SciKernels vs ASE (issue 11), side by side on the same machine in one go.
# Runs ROUNDS alternating rounds (SciKernels.Benchmarks --neighbors-json, then
# benchmarks/ase/neighbors_bench.py --json) so both sides see the same background load, then prints
# per case the median over rounds of each round's median: ms and µs per atom for both, and
# ratio = ASE time / SciKernels time (> 1: SciKernels is faster), for wall time and for processor time
# (all threads; much less sensitive to other load on a shared VM than wall time). The SciKernels columns
# time an MD loop's call: a reused NeighborListWorkspace and NeighborPairBuffer, nothing allocated (ASE has
# no equivalent: it builds its arrays afresh every call); the "fresh" columns time the plain
# NeighborList.Search, which allocates its scratch memory and exactly sized output every call.
#
# Cases: ase.build.bulk('Ar', 'fcc', a=5.26, cubic=True).repeat((n, n, n)), periodic, cutoff 5 Å,
# ase.neighborlist.neighbor_list('ijSd', atoms, 5.0) vs NeighborList.Search (pairs, shifts, distances).
#
# Environment, tuned on both sides as for the PyTorch comparisons (benchmarks/pytorch/run.sh):
#   * ASE: Debian's /usr/bin/python3 with python3-ase, glibc malloc keeping freed memory mapped
#     (GLIBC_TUNABLES as in run.sh) and OMP_WAIT_POLICY=PASSIVE;
#   * SciKernels: DOTNET_PROCESSOR_COUNT=THREADS (2) and DOTNET_GCgen0size=0x40000000, the .NET
#     counterpart of the glibc setting: without it every fresh call's newly allocated output (56 MB at
#     100k atoms) is page-faulted in again, which on this VM costs more than the search itself.
#
# Usage: benchmarks/compare_neighbors.sh [--rounds N] [--case NAME] [--threads N]
#   SK_BENCH_DLL=/path/SciKernels.Benchmarks.dll  use a prebuilt benchmark assembly.
#   SK_BASELINE_DLL=/path/SciKernels.Benchmarks.dll  also run an older build (before/after) in every
#     round, alternating with the other two, and print its main figure ("ms": the reused call from
#     this version on, the plain call before it) and ratio too.
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
    *) echo "compare_neighbors.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
PY=/usr/bin/python3
if ! "$PY" -c 'import ase' 2>/dev/null; then
  echo "compare_neighbors.sh: Debian's python3-ase is not installed (tools/ci/install-deps.sh installs it)." >&2
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
  DOTNET_PROCESSOR_COUNT="$threads" DOTNET_GCgen0size=0x40000000 dotnet "$dll" --neighbors-json "${extra[@]}" > "$out/sk$r.json"
  if [[ -n "${SK_BASELINE_DLL:-}" ]]; then
    echo "round $r/$rounds: SciKernels baseline..." >&2
    DOTNET_PROCESSOR_COUNT="$threads" DOTNET_GCgen0size=0x40000000 dotnet "$SK_BASELINE_DLL" --neighbors-json "${extra[@]}" > "$out/base$r.json"
  fi
  echo "round $r/$rounds: ASE..." >&2
  GLIBC_TUNABLES="glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967296" \
    OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS=1 "$PY" "$here/ase/neighbors_bench.py" --json "${extra[@]}" | tail -n 1 > "$out/ase$r.json"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
"$PY" - "$out"/*.json <<'PYEOF'
import json, statistics, sys
import os
runs = {"scikernels": [], "ase": [], "baseline": []}
for p in sys.argv[1:]:
    for line in open(p):
        if line.startswith("{"):
            o = json.loads(line)
            runs["baseline" if os.path.basename(p).startswith("base") else o["impl"]].append(o)
sk, ase, base = runs["scikernels"], runs["ase"], runs["baseline"]
if not sk or not ase:
    sys.exit("compare_neighbors.sh: need at least one result from each side")
print(f"rounds: SciKernels {len(sk)} ({sk[0]['threads']} threads), ASE {len(ase)} (ase {ase[0]['ase']}, numpy {ase[0]['numpy']}); "
      "figures = median over rounds of each round's median; ratio = ASE / SciKernels")
med = lambda rs, n, k: statistics.median(r["cases"][n][k] for r in rs if n in r["cases"])
extra_head = " baseline ms | ratio (wall) | ratio (CPU time) |" if base else ""
print(f"| case | atoms | pairs | ASE ms | ASE µs/atom | SciKernels ms | SciKernels µs/atom | ratio (wall) | ratio (CPU time) | fresh ms | ratio (wall) | ratio (CPU time) |{extra_head}")
print(f"|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|{'---:|---:|---:|' if base else ''}")
for n in sk[0]["cases"]:
    if not any(n in r["cases"] for r in ase):
        continue
    a, s = sk[0]["cases"][n], next(r["cases"][n] for r in ase if n in r["cases"])
    atoms = a["atoms"]
    pairs = f"{a['pairs']}" if a["pairs"] == s["pairs"] else f"{a['pairs']} (ASE {s['pairs']}!)"
    am, sm = med(ase, n, "ms"), med(sk, n, "ms")
    ac, sc = med(ase, n, "cpu_ms"), med(sk, n, "cpu_ms")
    fm, fc = med(sk, n, "fresh_ms"), med(sk, n, "fresh_cpu_ms")
    row = (f"| {n} | {atoms} | {pairs} | {am:.1f} | {am * 1e3 / atoms:.2f} | {sm:.3f} | {sm * 1e3 / atoms:.3f} | {am / sm:.1f}× | {ac / sc:.1f}× "
           f"| {fm:.3f} | {am / fm:.1f}× | {ac / fc:.1f}× |")
    if base:
        bm, bc = med(base, n, "ms"), med(base, n, "cpu_ms")
        row += f" {bm:.3f} | {am / bm:.1f}× | {ac / bc:.1f}× |"
    print(row)
PYEOF
