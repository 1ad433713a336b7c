#!/usr/bin/env bash
# Installs clx's build and test dependencies on Debian 12 (idempotent: does
# nothing when every package is already there). Runtime needs only the
# libraries; PoCL and Mesa rusticl are the CPU OpenCL devices the tests use.
#   tools/install-deps.sh           build + test dependencies
#   tools/install-deps.sh --slurm   and Slurm + munge, for test_slurm_array
#                                   (tools/dev/slurm-cluster.sh; CI does this)
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libcjson-dev libutf8proc-dev
  ocl-icd-opencl-dev opencl-headers libclblast-dev clinfo
  pocl-opencl-icd mesa-opencl-icd
  libavformat-dev libavcodec-dev libavutil-dev libswscale-dev ffmpeg
  libjpeg62-turbo-dev libpng-dev libwebp-dev libgif-dev
)
case "${1:-}" in
  "") ;;
  --slurm) packages+=(slurmd slurmctld slurm-client munge) ;;
  *) echo "usage: $0 [--slurm]" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
