#!/usr/bin/env bash
# The libraries' net8.0 build, run without an installed .NET 8 (docs/packaging.md, "Target frameworks"):
# publishes tools/SciKernels.Net8Check self-contained for net8.0 (the SDK pulls the .NET 8 runtime pack from
# NuGet), builds it for net10.0, runs the property checks on both, then compares seeded results (GEMM,
# element-wise functions, FNO / EGNN forwards and gradients) value by value. Exit 1 on a failed check or a difference.
# Usage: tools/ci/check-net8.sh [OUT_DIR]   (default: a temporary folder, removed at the end)
set -uo pipefail
cd "$(dirname "$0")/../.."
proj=tools/SciKernels.Net8Check/SciKernels.Net8Check.csproj
out="${1:-}"
if [[ -z "$out" ]]; then out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT; fi
rid="linux-$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')"
dotnet publish "$proj" -c Release -f net8.0 -r "$rid" --self-contained -o "$out/net8" -v q -nologo || exit 1
dotnet build "$proj" -c Release -f net10.0 -v q -nologo || exit 1
net8=("$out/net8/SciKernels.Net8Check")
net10=(dotnet "tools/SciKernels.Net8Check/bin/Release/net10.0/SciKernels.Net8Check.dll")
status=0
"${net8[@]}" props || status=1
"${net10[@]}" props || status=1
"${net8[@]}" bits "$out/bits8" > "$out/bits8.txt" || status=1
"${net10[@]}" bits "$out/bits10" > "$out/bits10.txt" || status=1
# Every result bit-identical, except the element-wise functions whose System.Numerics.Tensors code differs
# between the targets (a few ulp; docs/packaging.md).
"${net10[@]}" compare "$out/bits8" "$out/bits10" || status=1
head -1 "$out/bits8.txt"; head -1 "$out/bits10.txt"
exit $status
