#!/usr/bin/env bash
# fuzz.sh — a libFuzzer campaign over every fuzz target: a benchmark of the
# input parsers' robustness, never a ctest test (ctest replays the corpora).
#
#   tools/fuzz.sh [MINUTES]      (default 10 per target; FUZZ_JOBS targets at once)
#   FUZZ_SECONDS=30 tools/fuzz.sh   a smoke run (tools/test-all.sh, with clang)
#
# Builds $BUILD (default build-fuzz) with clang, -DCLX_FUZZ=ON and
# -DCLX_SANITIZE=ON (ASan + UBSan), then runs each target for MINUTES on a
# working corpus seeded from tests/fuzz/corpus/NAME (the demux target: the
# test videos). A crash or leak fails the run. Inputs that crash are kept in $OUT/artifacts/NAME/ (to become
# reproducers in tests/fuzz/corpus/NAME with their fix). Writes
# $OUT/fuzz.md: per target the executions, exec/s, coverage (libFuzzer's
# cov: edges) and crashes; with UPDATE_DOC=1 also the block between
# <!-- fuzz --> and <!-- /fuzz --> in docs/SECURITY.md.
#
# Environment: BUILD, OUT (default $BUILD/fuzz-run), FUZZ_JOBS (default 1),
# TARGETS (default: all), UPDATE_DOC.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-10}
seconds=${FUZZ_SECONDS:-$((minutes * 60))}
B=${BUILD:-build-fuzz}
OUT=${OUT:-$B/fuzz-run}
jobs=${FUZZ_JOBS:-1}
command -v clang >/dev/null || { echo "fuzz.sh: needs clang (apt-get install clang)" >&2; exit 1; }
CC=clang cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLX_FUZZ=ON -DCLX_SANITIZE=ON >/dev/null
targets=${TARGETS:-fuzz_safetensors fuzz_config fuzz_npy fuzz_tokenizer fuzz_demux fuzz_decode fuzz_manifest fuzz_tuning fuzz_labels fuzz_preprocess fuzz_image}
# shellcheck disable=SC2086
cmake --build "$B" -j"$(nproc)" --target $targets >/dev/null
mkdir -p "$OUT"

run_one() {
  local t=$1 seeds=tests/fuzz/corpus/${1#fuzz_} extra=()
  case $t in
    fuzz_demux) seeds=tests/fixtures/video; extra=(-timeout=10 -rss_limit_mb=4096) ;;
    fuzz_decode) extra=(-timeout=10 -rss_limit_mb=4096) ;;
    fuzz_tokenizer) extra=(-timeout=10) ;;
    fuzz_image) extra=(-timeout=10 -rss_limit_mb=4096) ;;
  esac
  mkdir -p "$OUT/corpus/$t" "$OUT/artifacts/$t"
  cp -rn "$seeds"/. "$OUT/corpus/$t/" 2>/dev/null || true
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "$B/tests/$t" "$OUT/corpus/$t" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$OUT/artifacts/$t/" "${extra[@]}" >"$OUT/$t.log" 2>&1 || true
  echo "fuzz.sh: $t done"
}

running=0
for t in $targets; do
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait

{
  echo "| target | seconds | executions | exec/s | coverage (edges) | crashes and leaks | timeouts and OOMs |"
  echo "|---|---|---|---|---|---|---|"
  for t in $targets; do
    log=$OUT/$t.log
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    crashes=$(find "$OUT/artifacts/$t" -type f \( -name 'crash-*' -o -name 'leak-*' \) | wc -l)
    slow=$(find "$OUT/artifacts/$t" -type f \( -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
    echo "| $t | $seconds | ${execs:-?} | ${rate:-?} | ${cov:-?} | $crashes | $slow |"
  done
} >"$OUT/fuzz.md"
cat "$OUT/fuzz.md"
# a crash or leak anywhere fails the run (a timeout or OOM on a loaded
# machine is reported, not failed: rerun the input alone to judge it)
if [ -n "$(find "$OUT/artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' \))" ]; then
  echo "fuzz.sh: crashing or leaking inputs in $OUT/artifacts" >&2
  status=1
fi
if [ "${UPDATE_DOC:-0}" = 1 ]; then
  python3 - "$OUT/fuzz.md" "$seconds" <<'PY'
import re, sys, datetime
table = open(sys.argv[1]).read().strip()
doc = open("docs/SECURITY.md").read()
block = (f"<!-- fuzz -->\nCampaign of {datetime.date.today()} ({sys.argv[2]} s per target, `tools/fuzz.sh`, "
         f"clang, ASan + UBSan):\n\n{table}\n<!-- /fuzz -->")
doc = re.sub(r"<!-- fuzz -->.*?<!-- /fuzz -->", lambda m: block, doc, flags=re.S)
open("docs/SECURITY.md", "w").write(doc)
PY
fi
exit "${status:-0}"
