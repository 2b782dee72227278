#!/bin/bash
# Data-parallel A/B (docs/distributed.md, "Overlap"): FNO1d and EGNN, 1 process vs 2 ranks with the
# Allreduce after / overlapping the backward pass, 1 thread per rank. Build Release first; report the load average.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CLI=$ROOT/tools/SciKernels.Cli/bin/Release/net10.0/SciKernels.Cli.dll
BASE=${BASE_CLI:-$CLI}  # a build to compare the engine against (e.g. a copy of the bin folder before a change)
export DOTNET_PROCESSOR_COUNT=1
W=${OUT:-/tmp/scikernels-mpi-bench}; mkdir -p "$W"; cd "$W" || exit 1
rm -rf f1 f1base f2seq f2ovl f1b f1baseb e1 e2seq e2ovl  # this script's own run folders
F="train fno --ntrain 200 --ntest 10 --epochs 6 --batch 20 --json --data-dir data"
E="train egnn --problem nbody --data scikernels --ntrain 500 --nval 10 --ntest 10 --epochs 6 --val-every 100 --json --data-dir edata"
M="mpirun --allow-run-as-root --oversubscribe -np 2"
run() { name=$1; shift; echo "== $name load $(cut -d' ' -f1-3 /proc/loadavg)"; "$@" --out $name > /dev/null 2> $name.err || tail -3 $name.err; }
run f1 dotnet $CLI $F
run f1base dotnet $BASE $F
run f2seq env SCIKERNELS_DP_OVERLAP=0 $M -x SCIKERNELS_DP_OVERLAP -x DOTNET_PROCESSOR_COUNT dotnet $CLI $F
run f2ovl $M -x DOTNET_PROCESSOR_COUNT dotnet $CLI $F
run f1b dotnet $CLI $F
run f1baseb dotnet $BASE $F
run e1 dotnet $CLI $E
run e2seq env SCIKERNELS_DP_OVERLAP=0 $M -x SCIKERNELS_DP_OVERLAP -x DOTNET_PROCESSOR_COUNT dotnet $CLI $E
run e2ovl $M -x DOTNET_PROCESSOR_COUNT dotnet $CLI $E
echo "end load $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - <<'PY'
import json,os,csv
for d in ["f1","f1base","f1b","f1baseb","f2seq","f2ovl","e1","e2seq","e2ovl"]:
    try: r=json.load(open(f"{d}/results.json"))
    except Exception as e: print(d,"missing",e); continue
    rows=list(csv.DictReader(open(f"{d}/metrics.csv")))
    secs=[float(x["seconds"]) for x in rows]
    steps=r.get("train_steps") or (30 if d.startswith("e") else 0)
    spe = steps/len(rows) if steps and rows else float('nan')
    ar=r.get("allreduce_seconds",0); ex=r.get("allreduce_exposed_seconds",0)
    print(f"{d:8s} epochs(s) {' '.join(f'{x:.2f}' for x in secs)} best {min(secs[2:]) if len(secs)>2 else min(secs):.3f} s/epoch, steps {steps}, allreduce {1e3*ar/max(steps,1):.1f} ms/step, exposed {1e3*ex/max(steps,1):.1f} ms/step")
PY
