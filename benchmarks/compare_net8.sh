#!/usr/bin/env bash
# The libraries' net8.0 build against their net10.0 build on the same machine, in one run (docs/packaging.md,
# "Target frameworks"). Publishes SciKernels.Benchmarks self-contained for net8.0 (-p:SciKernelsNet8=true; the
# SDK pulls the .NET 8 runtime pack from NuGet, nothing needs installing), builds it for net10.0, then runs
# ROUNDS rounds, alternating which target goes first, of: --quick-json (core ops), --suite-json --case egnn,
# --suite-json --case fno, and --egnn-loop egnn_radius_f (processor time per call, steadier on a loaded machine).
# Prints per case the median time of each target and net8/net10 (> 1: net8 slower), with the load average
# before each run. Figures on a shared machine vary: compare within one run only.
#
# Usage: benchmarks/compare_net8.sh [--rounds N] [--threads N]
#   SK_NET8_DIR=/path  use an existing net8.0 publish folder instead of publishing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
rounds=3
threads=2
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    *) echo "compare_net8.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
proj="$here/SciKernels.Benchmarks/SciKernels.Benchmarks.csproj"
net8dir="${SK_NET8_DIR:-}"
if [[ -z "$net8dir" ]]; then
  net8dir="$out/net8"
  dotnet publish "$proj" -c Release -f net8.0 -r linux-x64 --self-contained -p:SciKernelsNet8=true -o "$net8dir" -v q -nologo >&2
fi
dotnet build "$proj" -c Release -v q -nologo >&2
dll10="$here/SciKernels.Benchmarks/bin/Release/net10.0/SciKernels.Benchmarks.dll"
echo "$(date -u '+%Y-%m-%d %H:%M UTC')  $(nproc) cores  $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)  threads: $threads"
run() { # target round
  local t="$1" r="$2" cmd
  if [[ "$t" == net8 ]]; then cmd=("$net8dir/SciKernels.Benchmarks"); else cmd=(dotnet "$dll10"); fi
  for mode in "--quick-json" "--suite-json --case egnn" "--suite-json --case fno" "--egnn-loop egnn_radius_f 8"; do
    echo "round $r $t: $mode  (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
    echo "load $(cut -d' ' -f1 /proc/loadavg)" >> "$out/$t.load"
    # shellcheck disable=SC2086
    DOTNET_PROCESSOR_COUNT="$threads" "${cmd[@]}" $mode | grep -E '^\{|ms processor time' >> "$out/$t.txt"
  done
}
for ((r = 1; r <= rounds; r++)); do
  if ((r % 2)); then run net10 "$r"; run net8 "$r"; else run net8 "$r"; run net10 "$r"; fi
done
/usr/bin/python3 - "$out" <<'PY'
import json, re, statistics, sys
d = sys.argv[1]
def load(t):
    cases = {}
    for line in open(f"{d}/{t}.txt"):
        if line.startswith("{"):
            for k, v in json.loads(line)["cases"].items():
                cases.setdefault(k, []).append(v["ms"])
        else:
            m = re.match(r"(\S+): ([\d.]+) ms median wall, ([\d.]+) ms processor", line)
            cases.setdefault(m.group(1) + " (cpu/call)", []).append(float(m.group(3)))
    loads = [float(l.split()[1]) for l in open(f"{d}/{t}.load")]
    return cases, loads
n8, l8 = load("net8"); n10, l10 = load("net10")
print(f"load average (1 min) before the runs: net10 {min(l10):.1f}..{max(l10):.1f}, net8 {min(l8):.1f}..{max(l8):.1f}")
print(f"{'case':28} {'net10 ms':>10} {'net8 ms':>10} {'net8/net10':>10}")
for k in n10:
    if k not in n8: continue
    a, b = statistics.median(n10[k]), statistics.median(n8[k])
    print(f"{k:28} {a:10.3f} {b:10.3f} {b / a:10.2f}")
PY
