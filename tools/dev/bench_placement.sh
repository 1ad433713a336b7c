#!/usr/bin/env bash
# bench_placement.sh — heterogeneous execution, never a test: the X-CLIP base
# shapes (microsoft/xclip-base-patch32's config, seed-1234 weights as the
# base fixture), B = 1 video, K = 3 prompts, in one clx-profile sitting:
#   one device (PoCL), the towers split (vision + prompt on PoCL, text on a
#   second device), and each with the weights stored as half (@f16);
# the CPU reference is the agreement baseline. Reports latency, the overlap
# the trace shows (time both devices were busy), device weight memory and
# max |logits − CPU|, as a Markdown table for docs/PERFORMANCE.md.
#
# Environment: BUILD (default build), OUT (default $BUILD/bench-placement),
# RUNS (5), SECOND (the text tower's device, default cpu; llvmpipe needs
# RUSTICL_ENABLE=llvmpipe), CLX_THREADS (default every CPU).
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
OUT=${OUT:-$B/bench-placement}
RUNS=${RUNS:-5}
SECOND=${SECOND:-cpu}
export CLX_THREADS=${CLX_THREADS:-$(nproc)}
mkdir -p "$OUT"
cmake --build "$B" -j"$(nproc)" --target clx_profile clx_synth >/dev/null
model=$OUT/xclip_base_model
if [ ! -f "$model/model.safetensors" ]; then
  echo "== xclip-base-patch32 shapes (clx-synth, seed 1234)"
  "$B/clx-synth" --config tests/fixtures/base/config.json --seed 1234 --out "$model"
fi
devices="cpu,pthread,vision=pthread,text=$SECOND,pthread@f16,vision=pthread@f16,text=$SECOND"
"$B/clx-profile" --model "$model" --device "$devices" --runs "$RUNS" --no-peak --quiet \
  --json "$OUT/bench_placement.json" --trace "$OUT/bench_placement_trace.json" >/dev/null
python3 - "$OUT/bench_placement.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
print("| devices | median latency | both busy at once | device weights | max abs logits − CPU |")
print("|---|---|---|---|---|")
for d in doc["devices"]:
    if d["id"] == "cpu":
        continue
    lat = d["latency"]["median_s"]
    ov = d["time"].get("overlap_s")
    w = d["memory"]["weights_bytes"] / 2**20
    diff = d["agreement"]["max_abs_logits_diff"]
    print(f"| `{d['id']}` | {lat * 1e3:.0f} ms | {'-' if ov is None else f'{ov * 1e3:.0f} ms'} "
          f"| {w:.1f} MiB | {diff:.2e} |")
PY
