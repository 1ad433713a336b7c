#!/usr/bin/env bash
# bench_clip.sh — CLIP image-embedding throughput, never a test: N generated
# JPEG images (640×480 test patterns) through get_image_features on the
# openai/clip-vit-base-patch32 shapes (seed-4321 weights, as the clip/base
# fixture), in one sitting, at batch 1 and 32:
#   clx embed --image DIR --batch B on DEVICE (decode + preprocess on worker
#   threads beside the device; the records give each image's compute share);
#   PyTorch: Pillow + CLIPImageProcessor (PIL) + get_image_features, the same
#   threads (tools/dev/bench_clip_torch.py).
# Writes $OUT/bench_clip.json and prints a Markdown table for
# docs/PERFORMANCE.md.
#
# Environment: BUILD (default build), OUT (default $BUILD/bench-clip), N (64),
# DEVICE (pthread: PoCL), CLX_THREADS (default every CPU; PyTorch gets the
# same), SKIP_PYTORCH=1.
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
OUT=${OUT:-$B/bench-clip}
N=${N:-64}
DEVICE=${DEVICE:-pthread}
export CLX_THREADS=${CLX_THREADS:-$(nproc)}
clx=$B/clx
mkdir -p "$OUT"
now() { date +%s.%N; }

cmake --build "$B" -j"$(nproc)" --target clx_cli clx_synth >/dev/null
model=$OUT/clip_base_model
if [ ! -f "$model/model.safetensors" ]; then
  echo "== clip-vit-base-patch32 shapes (clx-synth, seed 4321)"
  "$B/clx-synth" --config tests/fixtures/clip/base/config.json --seed 4321 --out "$model"
fi
cp tests/fixtures/clip_tokenizer/vocab.json tests/fixtures/clip_tokenizer/merges.txt "$model/"
# openai/clip-vit-base-patch32's preprocessor_config.json
cat >"$model/preprocessor_config.json" <<'JSON'
{"crop_size": 224, "do_center_crop": true, "do_normalize": true, "do_resize": true,
 "feature_extractor_type": "CLIPFeatureExtractor",
 "image_mean": [0.48145466, 0.4578275, 0.40821073],
 "image_std": [0.26862954, 0.26130258, 0.27577711], "resample": 3, "size": 224}
JSON

imgs=$OUT/images
if [ "$(ls "$imgs" 2>/dev/null | wc -l)" -ne "$N" ]; then
  echo "== $N images"
  rm -rf "$imgs" && mkdir -p "$imgs"
  srcs=(testsrc2 smptehdbars rgbtestsrc testsrc)
  for i in $(seq 0 $((N - 1))); do
    ffmpeg -v error -f lavfi -i "${srcs[$((i % 4))]}=size=640x480,hue=h=$((i * 37))" -frames:v 1 \
      -q:v 3 -y "$imgs/i$(printf %03d "$i").jpg"
  done
fi

export CLX_CACHE_DIR=$OUT/cache
echo "== warm-up (program binaries and packed weights cached; not timed)"
for b in 1 32; do
  "$clx" embed --model "$model" --device "$DEVICE" --image "$imgs/i000.jpg" --batch "$b" --json --quiet >/dev/null
done

declare -A wall
for b in 1 32; do
  echo "== clx embed, batch $b"
  rm -f "$OUT/clx_b$b.jsonl"
  t=$(now)
  "$clx" embed --model "$model" --device "$DEVICE" --image "$imgs" --batch "$b" \
    --out "$OUT/clx_b$b.jsonl" 2>"$OUT/clx_b$b.err"
  wall[$b]=$(echo "$(now) - $t" | bc)
  cat "$OUT/clx_b$b.err"
done

torch_json=null
if [ "${SKIP_PYTORCH:-0}" != 1 ]; then
  echo "== PyTorch"
  torch_json=$(python3 tools/dev/bench_clip_torch.py --model "$model" --images "$imgs" \
    --batches 1,32 --threads "$CLX_THREADS")
fi

python3 - "$OUT" "$N" "${wall[1]}" "${wall[32]}" "$torch_json" "$DEVICE" "$CLX_THREADS" <<'PY'
import json, sys
out, n, w1, w32, tj, device, threads = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5], sys.argv[6], sys.argv[7]
torch = json.loads(tj)
rows, res = [], {"images": n, "device": device, "threads": int(threads), "torch": torch, "clx": {}}
for b, w in ((1, w1), (32, w32)):
    recs = [json.loads(l) for l in open(f"{out}/clx_b{b}.jsonl")]
    comp = sum(r["timing"]["compute_s"] for r in recs)
    res["clx"][f"b{b}"] = {"wall_s": w, "compute_s": comp, "first_embedding": recs[0]["embedding"]}
    rows.append((f"clx embed ({device}), B = {b}", w, comp))
    if torch:
        f = torch["forms"][f"b{b}"]
        rows.append((f"PyTorch CPU, B = {b}", f["wall_s"], f["compute_s"]))
json.dump(res, open(f"{out}/bench_clip.json", "w"), indent=1)
print(f"\n| {n} images, get_image_features, {threads} threads | wall s | images/s | compute s | compute images/s |")
print("|---|---|---|---|---|")
for name, w, c in rows:
    print(f"| {name} | {w:.2f} | {n / w:.2f} | {c:.2f} | {n / c:.2f} |")
if torch:
    a = res["clx"]["b1"]["first_embedding"]
    for k, f in torch["forms"].items():
        d = max(abs(x - y) for x, y in zip(a, f["first_embedding"]))
        print(f"first image, max |clx - PyTorch {k}| embedding value: {d:.2e}")
PY
