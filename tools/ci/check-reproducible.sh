#!/usr/bin/env bash
# Reproducible packages: packs the shipped projects twice, from two clones of HEAD in different
# folders, with CI=true (ContinuousIntegrationBuild: deterministic /_/ source paths), and compares the
# assemblies inside the packages byte for byte. Exit 0 when every DLL is identical.
#   tools/ci/check-reproducible.sh [PROJECT.csproj ...]   (default: every library package and the tool)
# REPRO_CI=false shows the control: without ContinuousIntegrationBuild the DLLs differ (they hold the build path).
# Several minutes on a 2-core machine (two clean builds), so it is a script rather than a unit test.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
head=$(git -C "$repo" rev-parse HEAD)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
projects=("$@")
if (( ${#projects[@]} == 0 )); then
  projects=(src/SciKernels.Core/SciKernels.Core.csproj src/SciKernels/SciKernels.csproj src/SciKernels.Devices/SciKernels.Devices.csproj
            kernels/SciKernels.Kernels/SciKernels.Kernels.csproj src/SciKernels.Training/SciKernels.Training.csproj
            src/SciKernels.Data/SciKernels.Data.csproj tools/SciKernels.Cli/SciKernels.Cli.csproj)
fi
for copy in a b-in-another-folder; do
  dir="$work/$copy/SciKernels"
  mkdir -p "$dir"
  # A clone of the committed HEAD (SourceLink reads the commit from it): commit before checking.
  git clone -q --no-hardlinks "$repo" "$dir"
  git -C "$dir" checkout -q --detach "$head"
  for p in "${projects[@]}"; do
    CI="${REPRO_CI:-true}" dotnet pack "$dir/$p" -c Release -o "$work/$copy/feed" -nodeReuse:false -v:q -nologo >"$work/$copy.log" 2>&1 \
      || { cat "$work/$copy.log"; echo "pack failed: $p ($copy)"; exit 1; }
  done
  mkdir -p "$work/$copy/unzipped"
  for pkg in "$work/$copy/feed"/*.nupkg; do
    unzip -q -o "$pkg" -d "$work/$copy/unzipped/$(basename "$pkg" .nupkg)"
  done
done
status=0
count=0
while IFS= read -r -d '' dll; do
  rel=${dll#"$work/a/unzipped/"}
  other="$work/b-in-another-folder/unzipped/$rel"
  count=$((count + 1))
  if ! cmp -s "$dll" "$other"; then echo "DIFFERS: $rel"; status=1; fi
done < <(find "$work/a/unzipped" -name 'SciKernels*.dll' -print0)
(( count > 0 )) || { echo "no SciKernels assemblies found in the packages"; exit 1; }
(( status == 0 )) && echo "reproducible: $count SciKernels assemblies identical across two folders"
exit $status
