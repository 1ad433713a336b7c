#!/usr/bin/env bash
# bench_batch.sh — a collection benchmark, never a test: N generated videos
# (H.264, mixed sizes and lengths) against K labels on the base-patch32
# shapes (seed-1234 weights, as tools/dev/perf_report.sh), in one sitting:
#   a. clx classify over the manifest: one process, batch B (device default),
#      decode workers beside the device, text features once;
#   b. one clx process per video (label cache on, as by default);
#   c. PyTorch, processor + model per video (text tower every call);
#   d. PyTorch with the text features once, one video per forward;
#   e. the same, 8 videos per forward.
# Writes $OUT/bench_batch.json and prints a Markdown table for
# docs/PERFORMANCE.md.
#
# Environment: BUILD (default build), OUT (default $BUILD/bench-batch), N (100),
# DEVICE (pthread: PoCL), CLX_THREADS (default every CPU; PyTorch gets the
# same), SKIP_PER_PROCESS=1, SKIP_PYTORCH=1.
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
OUT=${OUT:-$B/bench-batch}
N=${N:-100}
DEVICE=${DEVICE:-pthread}
export CLX_THREADS=${CLX_THREADS:-$(nproc)}
clx=$B/clx
mkdir -p "$OUT"
now() { date +%s.%N; }

cmake --build "$B" -j"$(nproc)" --target clx_cli clx_synth >/dev/null
model=$OUT/base_model
if [ ! -f "$model/model.safetensors" ]; then
  echo "== base-patch32 model (clx-synth, seed 1234)"
  "$B/clx-synth" --config tests/fixtures/base/config.json --seed 1234 --out "$model"
fi
cp tests/fixtures/clip_tokenizer/vocab.json tests/fixtures/clip_tokenizer/merges.txt "$model/"
# microsoft/xclip-base-patch32's preprocessor_config.json
cat >"$model/preprocessor_config.json" <<'JSON'
{"do_center_crop": true, "do_normalize": true, "do_resize": true,
 "feature_extractor_type": "VideoMAEFeatureExtractor",
 "image_mean": [0.485, 0.456, 0.406], "image_std": [0.229, 0.224, 0.225],
 "processor_class": "XCLIPProcessor", "resample": 2, "size": 224,
 "crop_size": {"height": 224, "width": 224}}
JSON

vids=$OUT/videos
if [ "$(ls "$vids" 2>/dev/null | wc -l)" -ne "$N" ]; then  # the videos/ of an earlier run are kept
  echo "== $N videos"
  rm -rf "$vids" && mkdir -p "$vids"
  sizes=(320x240 640x360 480x480 854x480 1280x720)
  srcs=(testsrc2 smptehdbars rgbtestsrc testsrc)
  for i in $(seq 0 $((N - 1))); do
    ffmpeg -v error -f lavfi -i "${srcs[$((i % 4))]}=size=${sizes[$((i % 5))]}:rate=25:duration=$((2 + i % 4)),hue=h=$((i * 37))" \
      -c:v libx264 -preset veryfast -pix_fmt yuv420p -y "$vids/v$(printf %03d "$i").mp4"
  done
fi
manifest=$OUT/manifest.txt
(cd "$OUT" && ls videos/*.mp4) >"$manifest"
printf '%s\n' "playing sports" "eating spaghetti" "a test pattern" "colour bars" "people dancing" \
  "a cat on a sofa" "traffic at night" "cooking" "playing guitar" "a red square" >"$OUT/labels.txt"
labels=$OUT/labels.txt

export CLX_CACHE_DIR=$OUT/cache
rm -rf "$CLX_CACHE_DIR/labels"
echo "== warm-up (program binaries and packed weights cached; not timed)"
"$clx" classify --model "$model" --device "$DEVICE" --video "$vids/v000.mp4" --labels "warm, up" >/dev/null

echo "== a. clx classify over the manifest"
rm -f "$OUT/a.jsonl"
t=$(now)
"$clx" classify --model "$model" --device "$DEVICE" --manifest "$manifest" --labels-file "$labels" \
  --out "$OUT/a.jsonl" 2>"$OUT/a.err"
a_s=$(echo "$(now) - $t" | bc)
cat "$OUT/a.err"

b_s=0
if [ "${SKIP_PER_PROCESS:-0}" != 1 ]; then
  echo "== b. one clx process per video"
  rm -f "$OUT/b.jsonl"
  t=$(now)
  while read -r v; do
    "$clx" classify --model "$model" --device "$DEVICE" --video "$OUT/$v" --labels-file "$labels" \
      --json --quiet >>"$OUT/b.jsonl"
  done <"$manifest"
  b_s=$(echo "$(now) - $t" | bc)
  echo "$N processes in $b_s s"
fi

torch_json=null
if [ "${SKIP_PYTORCH:-0}" != 1 ]; then
  echo "== c, d, e. PyTorch"
  torch_json=$(python3 tools/dev/bench_batch_torch.py --model "$model" --manifest "$manifest" \
    --labels-file "$labels" --threads "$CLX_THREADS")
fi

python3 - "$OUT" "$N" "$a_s" "$b_s" "$torch_json" "$DEVICE" <<'PY'
import json, sys
out, n, a_s, b_s, tj, device = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5], sys.argv[6]
torch = json.loads(tj)
recs = [json.loads(l) for l in open(f"{out}/a.jsonl")]
dec = sum(r["timing"]["decode_s"] for r in recs)
comp = sum(r["timing"]["compute_s"] for r in recs)
rows = [("a. clx classify, one process (" + device + ")", a_s, dec, comp)]
if b_s > 0:
    rows.append(("b. clx, one process per video", b_s, None, None))
if torch:
    names = {"per-call": "c. PyTorch, text tower per video", "text-once": "d. PyTorch, text once, B = 1",
             "text-once-b8": "e. PyTorch, text once, B = 8"}
    for k, f in torch["forms"].items():
        rows.append((names[k], f["wall_s"], f["decode_s"], f["compute_s"]))
ref = {r[0][:2]: r[1] for r in rows}
res = {"videos": n, "device": device, "clx_wall_s": a_s, "clx_decode_s": dec, "clx_compute_s": comp,
       "per_process_wall_s": b_s, "torch": torch}
json.dump(res, open(f"{out}/bench_batch.json", "w"), indent=1)
print(f"\n| {n} videos × 10 labels | wall s | videos/s | decode s | compute s | time vs (a) |")
print("|---|---|---|---|---|---|")
for name, wall, d, c in rows:
    fmt = lambda x: "—" if x is None else f"{x:.1f}"
    print(f"| {name} | {wall:.1f} | {n / wall:.2f} | {fmt(d)} | {fmt(c)} | {wall / a_s:.2f}× |")
if torch:
    first = recs[0]
    p = {l["label"]: l["probability"] for l in first["labels"]}
    labels = [l.rstrip("\n") for l in open(f"{out}/labels.txt") if l.strip()]
    for k, f in torch["forms"].items():
        d = max(abs(p[l] - q) for l, q in zip(labels, f["first_probs"]))
        print(f"first video, max |clx - PyTorch {k}| probability: {d:.2e}")
PY
