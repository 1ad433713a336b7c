#!/usr/bin/env bash
# The whole test suite, as CI runs it (README's second command):
#   1. release-ish build (RelWithDebInfo) + every ctest test;
#   2. -fsanitize=address,undefined build + every test except the base-shape
#      model (label "base": 786 MB of weights, too slow under ASan) and the
#      Slurm one (label "slurm": the same clx code as test_cli_batch, which
#      does run here);
#   3. -O2 -DNDEBUG build + the bad-input tests again (label "bad-input"),
#      since NDEBUG must not remove any input validation.
# Build folders: build/, build-asan/, build-ndebug/ (override with $BUILD).
# test_slurm_array needs a Slurm cluster (SLURM_CONF): .ci/run starts one;
# elsewhere it is reported as skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
b=${BUILD:-build}

echo "== build + tests ($b)"
cmake -S . -B "$b" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$b" -j"$jobs"
ctest --test-dir "$b" --output-on-failure -j"$jobs"

echo "== sanitizer build + tests (${b}-asan)"
cmake -S . -B "${b}-asan" -DCMAKE_BUILD_TYPE=Debug -DCLX_SANITIZE=ON >/dev/null
cmake --build "${b}-asan" -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir "${b}-asan" --output-on-failure -j"$jobs" -LE "base|slurm"

echo "== -O2 -DNDEBUG build + bad-input tests (${b}-ndebug)"
cmake -S . -B "${b}-ndebug" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" >/dev/null
cmake --build "${b}-ndebug" -j"$jobs"
ctest --test-dir "${b}-ndebug" --output-on-failure -j"$jobs" -L bad-input
