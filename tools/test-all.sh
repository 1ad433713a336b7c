#!/usr/bin/env bash
# The whole test suite, as CI runs it (README's second command):
#   1. release-ish build (RelWithDebInfo) + every ctest test;
#   2. -fsanitize=address,undefined build + every test except the base-shape
#      model (label "base": 786 MB of weights, too slow under ASan), the
#      Slurm one (label "slurm": the same clx code as test_cli_batch, which
#      does run here) and the device-combination matrix (label "matrix":
#      placements, fallback, f16 and split buffers on further device pairs
#      and fixtures, whose code the unlabelled ones run here);
#   3. -O2 -DNDEBUG build + the bad-input tests again (label "bad-input"),
#      since NDEBUG must not remove any input validation;
#   4. with clang: a libFuzzer smoke run, 30 s per fuzz target, ASan + UBSan
#      (tools/fuzz.sh; ${b}-fuzz); a crash or leak fails.
# Build folders: build/, build-asan/, build-ndebug/ (override with $BUILD).
# test_slurm_array needs a Slurm cluster: the one SLURM_CONF names (.ci/run
# starts one), else, as root with Slurm installed (tools/install-deps.sh
# --slurm), a private one started here and stopped on exit; otherwise ctest
# reports it skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
b=${BUILD:-build}

if [ -z "${SLURM_CONF:-}" ] && [ "$(id -u)" -eq 0 ] && [ -x /usr/sbin/slurmctld ] && [ -x /usr/sbin/munged ]; then
  slurm_dir=$(mktemp -d /tmp/clx-test-slurm.XXXXXX)
  trap 'tools/dev/slurm-cluster.sh stop "$slurm_dir"' EXIT
  tools/dev/slurm-cluster.sh start "$slurm_dir"
  export SLURM_CONF=$slurm_dir/slurm.conf
fi

echo "== build + tests ($b)"
cmake -S . -B "$b" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$b" -j"$jobs"
ctest --test-dir "$b" --output-on-failure -j"$jobs"

echo "== sanitizer build + tests (${b}-asan)"
cmake -S . -B "${b}-asan" -DCMAKE_BUILD_TYPE=Debug -DCLX_SANITIZE=ON >/dev/null
cmake --build "${b}-asan" -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir "${b}-asan" --output-on-failure -j"$jobs" -LE "base|slurm|matrix"

echo "== -O2 -DNDEBUG build + bad-input tests (${b}-ndebug)"
cmake -S . -B "${b}-ndebug" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" >/dev/null
cmake --build "${b}-ndebug" -j"$jobs"
ctest --test-dir "${b}-ndebug" --output-on-failure -j"$jobs" -L bad-input

if command -v clang >/dev/null; then
  echo "== libFuzzer smoke run (${b}-fuzz, 30 s per target)"
  BUILD="${b}-fuzz" FUZZ_SECONDS=30 FUZZ_JOBS="$jobs" tools/fuzz.sh
else
  echo "== no clang: the libFuzzer smoke run is skipped (the corpora were replayed above)"
fi
