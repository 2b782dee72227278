#!/usr/bin/env bash
# Downloads NVIDIA's ptxas (from Debian 12's non-free `nvidia-cuda-toolkit` 11.8 package)
# and extracts it under <repo>/.cache/cuda without installing anything system-wide.
# Idempotent: if .cache/cuda/usr/bin/ptxas already runs, nothing is downloaded.
# Prints the absolute path of ptxas on the last line of stdout.
# The system's apt lists are left untouched (private sources list / lists / cache dirs).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${SCIKERNELS_CUDA_CACHE:-$repo_root/.cache/cuda}"
ptxas="$cache/usr/bin/ptxas"

if [[ -x "$ptxas" ]] && "$ptxas" --version >/dev/null 2>&1; then
  echo "$ptxas"
  exit 0
fi

work="$cache/.apt"
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/dl"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
suite="${SCIKERNELS_DEBIAN_SUITE:-bookworm}"
mirror="${SCIKERNELS_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
echo "deb [signed-by=$keyring] $mirror $suite main contrib non-free" > "$work/sources.list"

apt_opts=(
  -o "Dir::Etc::SourceList=$work/sources.list"
  -o "Dir::Etc::SourceParts=/dev/null"
  -o "Dir::State::Lists=$work/lists"
  -o "Dir::Cache=$work/cache"
  -o "APT::Sandbox::User=root"
)

echo "fetch-ptxas: updating private apt lists (non-free) ..." >&2
apt-get -qq "${apt_opts[@]}" update >&2
echo "fetch-ptxas: downloading nvidia-cuda-toolkit .deb ..." >&2
(cd "$work/dl" && rm -f nvidia-cuda-toolkit_*.deb && apt-get -qq "${apt_opts[@]}" download nvidia-cuda-toolkit >&2)
deb="$(ls "$work/dl"/nvidia-cuda-toolkit_*.deb | head -n1)"
echo "fetch-ptxas: extracting $(basename "$deb") ..." >&2
# Only ptxas is needed (it is self-contained: libc/libm/libpthread only).
tmp="$work/extract"
rm -rf "$tmp" && mkdir -p "$tmp"
dpkg -x "$deb" "$tmp"
mkdir -p "$cache/usr/bin"
cp "$tmp/usr/bin/ptxas" "$ptxas"
chmod +x "$ptxas"
rm -rf "$work"

"$ptxas" --version >&2
echo "$ptxas"
