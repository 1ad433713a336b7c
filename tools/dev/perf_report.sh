#!/usr/bin/env bash
# perf_report.sh — regenerates docs/PERFORMANCE.md (and docs/profile.png) on
# this machine: a benchmark, never a test. Everything runs in one sitting,
# side by side, on the same weights and inputs.
#
#   1. builds clx, clx-profile and clx-synth ($BUILD, default build-perf) and
#      synthesises the base-patch32 model (seed 1234, the base fixture's
#      weights; 786 MB, not committed);
#   2. for each batch size in $BATCHES (default "1 8"), on the base model:
#      a. PoCL with CLBlast and the work-group kernels forced (CLX_GEMM=clblast
#         CLX_ROW_KERNELS=off: clx before its own kernels), $CLBLAST_RUNS runs;
#      b. PoCL with the defaults (no tuning file);
#      c. `clx tune --batch B` into $OUT/tune.json, then PoCL with it;
#      d. PyTorch CPU (tools/dev/pytorch_profile.py), ONNX Runtime and
#         OpenVINO (tools/dev/onnx_bench.py), same threads;
#      e. at B = 1 the CPU reference too;
#      then clx-profile --compare of them all → $OUT/base-b$B.{json,txt,html};
#   3. the tiny fixture on every device (rusticl included) and PyTorch, and
#      rusticl on the base model at B = 1 ($RUSTICL_RUNS runs);
#   4. headless Chromium screenshot of the B = 1 page → docs/profile.png;
#   5. docs/PERFORMANCE.md from the JSON documents and lscpu.
#
# Environment: BUILD, OUT (default $BUILD/perf), RUNS (5), CLBLAST_RUNS (3 at
# B = 1, 2 above), RUSTICL_RUNS (1), BATCHES ("1 8"), CLX_THREADS (default:
# every CPU; PyTorch, ONNX Runtime and OpenVINO get the same), SKIP_RUSTICL=1,
# SKIP_PYTORCH=1, SKIP_ONNX=1, SKIP_TUNE=1, CHROMIUM (default chromium).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
B=${BUILD:-build-perf}
OUT=${OUT:-$B/perf}
RUNS=${RUNS:-5}
RUSTICL_RUNS=${RUSTICL_RUNS:-1}
BATCHES=${BATCHES:-1 8}
export CLX_THREADS=${CLX_THREADS:-$(nproc)}
CHROMIUM=${CHROMIUM:-chromium}

echo "== build ($B)"
cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$B" -j"$(nproc)" --target clx_cli clx_profile clx_synth >/dev/null
mkdir -p "$OUT"
prof="$B/clx-profile"
clx="$B/clx"
model="$B/base_model"
tune_file="$OUT/tune.json"
rm -f "$tune_file"

# clx-profile writes JSON even when a device fails (exit 1): keep going
run_profile() { "$prof" "$@" || [ $? -eq 1 ]; }
# the machine's load around each step goes into the report
: > "$OUT/load.txt"
load() { echo "$(date -u +%H:%M:%S) $1: load average $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/load.txt"; }
# relabel FILE SUFFIX: device ids "cl:0:0" → "cl:0:0/SUFFIX", so one --compare
# can hold the same device run three ways
relabel() {
  python3 - "$1" "$2" <<'PY'
import json, sys
p, sfx = sys.argv[1], sys.argv[2]
d = json.load(open(p))
for dev in d["devices"]:
    dev["id"] = f"{dev['id']}/{sfx}"
json.dump(d, open(p, "w"), indent=1)
PY
}

echo "== base-patch32 model (clx-synth, seed 1234)"
if [ ! -f "$model/model.safetensors" ]; then
  "$B/clx-synth" --config tests/fixtures/base/config.json --seed 1234 --out "$model"
fi

for b in $BATCHES; do
  docs=()
  crun=${CLBLAST_RUNS:-$([ "$b" = 1 ] && echo 3 || echo 2)}
  echo "== B=$b: PoCL, CLBlast + work-group kernels forced, $crun runs"
  load "B=$b PoCL CLBlast"
  CLX_GEMM=clblast CLX_ROW_KERNELS=off CLX_TUNE_FILE=$OUT/none.json run_profile --model "$model" \
    --device pthread --batch "$b" --runs "$crun" --json "$OUT/b$b-clblast.json" > "$OUT/b$b-clblast.txt"
  relabel "$OUT/b$b-clblast.json" clblast
  docs+=("$OUT/b$b-clblast.json")

  echo "== B=$b: PoCL, defaults, $RUNS runs"
  load "B=$b PoCL defaults"
  CLX_TUNE_FILE=$OUT/none.json run_profile --model "$model" --device pthread --batch "$b" \
    --runs "$RUNS" --json "$OUT/b$b-default.json" --csv "$OUT/b$b-default.csv" > "$OUT/b$b-default.txt"
  relabel "$OUT/b$b-default.json" default
  docs+=("$OUT/b$b-default.json")

  if [ "${SKIP_TUNE:-0}" = 0 ]; then
    echo "== B=$b: clx tune, then PoCL tuned, $RUNS runs"
    load "B=$b clx tune"
    CLX_TUNE_FILE=$tune_file "$clx" tune --model "$model" --device pthread --batch "$b" --quiet \
      > "$OUT/b$b-tune.txt"
    load "B=$b PoCL tuned"
    CLX_TUNE_FILE=$tune_file run_profile --model "$model" --device pthread --batch "$b" \
      --runs "$RUNS" --json "$OUT/b$b-tuned.json" --trace "$OUT/b$b-tuned.trace.json" \
      > "$OUT/b$b-tuned.txt"
    relabel "$OUT/b$b-tuned.json" tuned
    docs+=("$OUT/b$b-tuned.json")
  fi

  if [ "$b" = 1 ]; then
    echo "== B=1: CPU reference, $RUNS runs"
    load "B=1 CPU reference"
    run_profile --model "$model" --device cpu --runs "$RUNS" --json "$OUT/b1-cpu.json" > /dev/null
    docs+=("$OUT/b1-cpu.json")
  fi
  if [ "${SKIP_PYTORCH:-0}" = 0 ]; then
    echo "== B=$b: PyTorch (transformers XCLIPModel), $RUNS runs, $CLX_THREADS threads"
    load "B=$b PyTorch"
    python3 tools/dev/pytorch_profile.py --model "$model" --seed 1234 --device cpu --batch "$b" \
      --runs "$RUNS" --threads "$CLX_THREADS" --json "$OUT/b$b-pytorch.json"
    docs+=("$OUT/b$b-pytorch.json")
  fi
  if [ "${SKIP_ONNX:-0}" = 0 ]; then
    echo "== B=$b: ONNX Runtime and OpenVINO, $RUNS runs, $CLX_THREADS threads"
    load "B=$b ONNX Runtime + OpenVINO"
    python3 tools/dev/onnx_bench.py --model "$model" --seed 1234 --batch "$b" --runs "$RUNS" \
      --threads "$CLX_THREADS" --json "$OUT/b$b-onnx.json"
    docs+=("$OUT/b$b-onnx.json")
  fi
  echo "== compare (B=$b)"
  "$prof" --compare "${docs[@]}" --json "$OUT/base-b$b.json" --html "$OUT/base-b$b.html" \
    > "$OUT/base-b$b.txt" || true
  cat "$OUT/base-b$b.txt"
done

if [ "${SKIP_RUSTICL:-0}" = 0 ]; then
  echo "== rusticl (llvmpipe), base, B=1, $RUSTICL_RUNS run(s)"
  load "rusticl (base)"
  RUSTICL_ENABLE=llvmpipe run_profile --model "$model" --device llvmpipe --runs "$RUSTICL_RUNS" \
    --json "$OUT/b1-rusticl.json" > "$OUT/b1-rusticl.txt"
fi

echo "== tiny fixture: every device"
load "tiny fixture"
RUSTICL_ENABLE=llvmpipe CLX_TUNE_FILE=$OUT/none.json run_profile --model tests/fixtures/tiny \
  --device all --runs 10 --json "$OUT/tiny-clx.json" > "$OUT/tiny-clx.txt"
tiny_docs=("$OUT/tiny-clx.json")
if [ "${SKIP_PYTORCH:-0}" = 0 ]; then
  python3 tools/dev/pytorch_profile.py --model tests/fixtures/tiny --seed 1 --device cpu --runs 10 \
    --threads "$CLX_THREADS" --json "$OUT/tiny-pytorch.json"
  tiny_docs+=("$OUT/tiny-pytorch.json")
fi
"$prof" --compare "${tiny_docs[@]}" --json "$OUT/tiny.json" --html "$OUT/tiny.html" \
  > "$OUT/tiny.txt" || true
cat "$OUT/tiny.txt"
load "end"

page="$OUT/base-b1.html"
if command -v "$CHROMIUM" >/dev/null && [ -f "$page" ]; then
  echo "== screenshot of $page → docs/profile.png"
  "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --screenshot="$root/docs/profile.png" --window-size=1400,1800 "file://$(realpath "$page")" 2>/dev/null || true
fi

echo "== docs/PERFORMANCE.md"
OUT="$OUT" RUNS="$RUNS" RUSTICL_RUNS="$RUSTICL_RUNS" BATCHES="$BATCHES" \
  python3 tools/dev/perf_doc.py > "$OUT/PERFORMANCE.md" && mv "$OUT/PERFORMANCE.md" docs/PERFORMANCE.md
echo "wrote docs/PERFORMANCE.md"
