#!/usr/bin/env bash
# Publishes the GPU check (tools/gpu/SciKernels.GpuCheck: device test cases, device benchmarks and the
# scikernels CLI) as one self-contained linux-x64 file, tools/gpu/.bundle/SciKernels.GpuCheck, that runs
# on a machine without a .NET SDK or runtime. It travels to the GPU machine in the device tool's `carry`
# (tools/gpu/.bundle is git-ignored). Usage: tools/gpu/build.sh   (prints the file and its size)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="$here/.bundle"
rm -rf "$out"
# GpuBundle=true: single file, compressed, native libraries (SkiaSharp for the CLI's plots) inside
# (see the csproj).
dotnet publish "$here/SciKernels.GpuCheck/SciKernels.GpuCheck.csproj" -c Release -p:GpuBundle=true -o "$out" -v quiet -nologo >&2
# Keep only the executable (xunit's runner config files and the like are not needed).
find "$out" -type f ! -name SciKernels.GpuCheck -delete
size=$(stat -c %s "$out/SciKernels.GpuCheck")
limit=$((56 * 1024 * 1024))
if (( size > limit )); then
  echo "build.sh: the bundle is $((size / 1048576)) MiB, over the 56 MiB this script allows (the device tool carries 64 MiB with the repo)" >&2
  exit 1
fi
echo "$out/SciKernels.GpuCheck $((size / 1048576)) MiB"
