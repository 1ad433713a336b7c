#!/usr/bin/env bash
# test_cli_clip.sh CLX CLIP_MODEL_DIR XCLIP_MODEL_DIR FIXTURES — the commands
# on a CLIP model and images, end to end: classify (one, several, a
# directory, records), embed, preprocess, run and validate; and their bad
# input: exit 2 (3 for an image that fails) with exactly one stderr line
# naming the file and the problem. The values themselves are checked
# against transformers by test_classify (test_classify_clip) and
# test_xclip_golden (test_clip_golden_*).
set -u
clx=$1 model=$2 xmodel=$3 fx=$4
. "$(dirname "$0")/lib.sh"

img=$fx/images/good
labels="a photo of a cat, a photo of a dog, a diagram"

# --- working paths
expect 0 "" -- classify --model "$model" --image "$img/jpeg_420.jpg" --labels "$labels"
[ "$(grep -c '%' "$tmp/out")" -eq 3 ] && ok || bad "classify prints 3 labels: $(cat "$tmp/out")"
lacks out "frames"
expect 0 "" -- classify --model "$model" --image "$img/jpeg_420.jpg" --image "$img/png_rgba.png" \
  --labels "$labels" --json
[ "$(grep -c '"probability"' "$tmp/out")" -eq 2 ] && ok || bad "two records: $(cat "$tmp/out")"
lacks out "frame_indices"
mkdir -p "$tmp/imgs/sub" && cp "$img/jpeg_420.jpg" "$img/webp_lossy.webp" "$tmp/imgs/" &&
  cp "$img/bmp_24.bmp" "$tmp/imgs/sub/" && echo "not an image" >"$tmp/imgs/notes.txt"
expect 0 "" -- classify --model "$model" --image "$tmp/imgs" --labels "$labels" --out "$tmp/r.jsonl" --batch 2
[ "$(wc -l <"$tmp/r.jsonl")" -eq 3 ] && ok || bad "a directory: 3 images by extension: $(cat "$tmp/r.jsonl")"
has err "3 images in"
expect 0 "" -- classify --model "$model" --image "$img/jpeg_exif6.jpg" --labels "$labels" --json --apply-exif
expect 0 "" -- embed --model "$model" --image "$img/gif_animated.gif" --out "$tmp/e.npy"
has out "image embeddings (1, 16)"
expect 0 "" -- embed --model "$model" --image "$img/jpeg_420.jpg" --image "$img/png_gray16.png" --json
[ "$(grep -c '"embedding"' "$tmp/out")" -eq 2 ] && ok || bad "embed records: $(cat "$tmp/out")"
expect 0 "" -- embed --model "$model" --text "a cat" --json
has out '"shape": [1, 16]'
expect 0 "" -- preprocess --model "$model" --image "$img/jpeg_cmyk.jpg" --out "$tmp/px.npy"
has out "pixel_values (1, 3, 64, 64)"
"$clx" tokenize --model "$model" "a cat" "a dog" >"$tmp/tok.json" && ok || bad "tokenize"
expect 0 "" -- preprocess --model "$model" --image "$img/jpeg_420.jpg" --out "$tmp/px1.npy"
# run on the fixture's own tiny CLIP (its pixel values and ids)
tiny=$fx/clip/tiny
expect 0 "" -- run --model "$tiny" --pixel-values "$tiny/pixel_values.npy" --input-ids "$tiny/input_ids.npy" \
  --attention-mask "$tiny/attention_mask.npy" --out "$tmp/o"
for f in logits_per_image logits_per_text image_embeds text_embeds; do
  [ -s "$tmp/o/$f.npy" ] && ok || bad "run: missing $f.npy"
done
has out "image 1:"
expect 0 "" -- run --model "$tiny" --pixel-values "$tiny/pixel_values.npy" --input-ids "$tiny/input_ids.npy" \
  --out "$tmp/o2" --json
has out '"logits_per_image": [['

# --- bad usage and bad input
expect 2 "is a CLIP model, which takes images: give --image" -- \
  classify --model "$model" --video "$fx/video/h264.mp4" --labels a
expect 2 "is an X-CLIP model, which takes videos: give --video" -- \
  classify --model "$xmodel" --image "$img/jpeg_420.jpg" --labels a
expect 2 "is a CLIP model, which takes images" -- preprocess --model "$model" --video "$fx/video/h264.mp4" --out "$tmp/x.npy"
expect 2 "is an X-CLIP model, which takes videos" -- embed --model "$xmodel" --image "$img/jpeg_420.jpg" --out "$tmp/x.npy"
expect 2 "pixel_values must be float (B, 3, 30, 30)" -- run --model "$tiny" --pixel-values "$fx/tiny/pixel_values.npy" \
  --input-ids "$tiny/input_ids.npy" --out "$tmp/o3"
mkdir -p "$tmp/noimg" && echo x >"$tmp/noimg/a.txt"
expect 2 "no image files in the directory" -- classify --model "$model" --image "$tmp/noimg" --labels a
for f in truncated.jpg truncated.png truncated.webp truncated.gif zero_size.png empty.bin random.bin rle8.bmp; do
  expect 3 "$fx/images/bad/$f" -- classify --model "$model" --image "$fx/images/bad/$f" --labels a
done
expect 3 "over" -- classify --model "$model" --image "$fx/images/bad/huge.png" --labels a
expect 3 "$tmp/missing.jpg" -- classify --model "$model" --image "$tmp/missing.jpg" --labels a
expect 2 "$fx/images/bad/truncated.jpg" -- preprocess --model "$model" --image "$fx/images/bad/truncated.jpg" --out "$tmp/x.npy"
expect 2 "$fx/images/bad/huge.gif" -- embed --model "$model" --image "$fx/images/bad/huge.gif" --out "$tmp/x.npy"
[ ! -e "$tmp/x.npy" ] && ok || bad "a failed preprocess/embed leaves no output file"
# a processor config that does not fit the model
mkdir "$tmp/m" && cp "$model"/* "$tmp/m/" &&
  echo '{"feature_extractor_type": "CLIPFeatureExtractor", "size": 64, "crop_size": 48}' >"$tmp/m/preprocessor_config.json"
expect 3 "images come out 48x48 but the model's image_size is 64" -- classify --model "$tmp/m" --image "$img/jpeg_420.jpg" --labels a
finish
