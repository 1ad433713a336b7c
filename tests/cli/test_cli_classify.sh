#!/usr/bin/env bash
# test_cli_classify.sh CLX MODEL_DIR VIDEO_DIR — `clx classify`, `embed`,
# `preprocess` and `tokenize` end to end, and their bad input: exit 2 (3
# for a video that fails) with exactly one stderr line naming the file or
# label and the problem.
set -u
clx=$1 model=$2 vids=$3
. "$(dirname "$0")/lib.sh"

v=$vids/h264.mp4
labels="playing sports, eating spaghetti, what's in the video"

# --- working paths
expect 0 "" -- classify --model "$model" --video "$v" --labels "$labels"
[ "$(grep -c '%' "$tmp/out")" -eq 3 ] && ok || bad "classify prints 3 labels: $(cat "$tmp/out")"
expect 0 "" -- classify --model "$model" --video "$v" --labels "$labels" --json
grep -q '"probability"' "$tmp/out" && grep -q '"frame_indices": \[1, 5, 9, 13, 16, 20, 24, 28\]' "$tmp/out" \
  && ok || bad "classify --json: $(cat "$tmp/out")"
printf 'playing sports\n\neating spaghetti\r\n' >"$tmp/labels.txt"
expect 0 "" -- classify --model "$model" --video "$v" --labels-file "$tmp/labels.txt"
[ "$(grep -c '%' "$tmp/out")" -eq 2 ] && ok || bad "labels file: blank line skipped: $(cat "$tmp/out")"
expect 0 "" -- classify --model "$model" --video "$v" --labels "a,b" --sample consecutive:2 --seed 0
expect 0 "" -- preprocess --model "$model" --video "$v" --out "$tmp/px.npy"
[ -s "$tmp/px.npy" ] && ok || bad "preprocess wrote nothing"
expect 0 "" -- embed --model "$model" --video "$v" --out "$tmp/v.npy"
expect 0 "" -- embed --model "$model" --text "a cat" --json
grep -q '"shape": \[1, 64\]' "$tmp/out" && ok || bad "embed --text shape: $(cat "$tmp/out")"
expect 0 "" -- embed --model "$model" --labels "a,b,c" --out "$tmp/t.npy" --normalize
expect 0 "" -- classify --help
expect 0 "" -- embed --help
expect 0 "" -- preprocess --help
# a label over 77 tokens: a warning, still classified
long=$(printf 'word %.0s' $(seq 1 100))
expect 0 "" -- classify --model "$model" --video "$v" --labels "$long,short"
grep -q "truncated to 77" "$tmp/err" && ok || bad "no truncation warning: $(cat "$tmp/err")"

# --- bad usage and bad input
expect 2 "no inputs: give --video PATH (X-CLIP), --image PATH (CLIP) or --manifest F" -- classify --model "$model"
expect 2 "no labels" -- classify --model "$model" --video "$v"
expect 2 "label 2 is empty" -- classify --model "$model" --video "$v" --labels "a,,b"
expect 2 "not both" -- classify --model "$model" --video "$v" --labels a --labels-file "$tmp/labels.txt"
expect 2 "invalid UTF-8" -- classify --model "$model" --video "$v" --labels $'caf\xe9'
expect 3 "$tmp/none.mp4" -- classify --model "$model" --video "$tmp/none.mp4" --labels a
: >"$tmp/empty.mp4"
expect 3 "$tmp/empty.mp4" -- classify --model "$model" --video "$tmp/empty.mp4" --labels a
echo "this is not a video" >"$tmp/text.mp4"
expect 3 "$tmp/text.mp4" -- classify --model "$model" --video "$tmp/text.mp4" --labels a
expect 3 "audio.m4a" -- classify --model "$model" --video "$vids/audio.m4a" --labels a
expect 2 "num_frames = 8" -- classify --model "$model" --video "$v" --labels a --frames 4
expect 2 "--frames x" -- classify --model "$model" --video "$v" --labels a --frames x
expect 2 "bogus" -- classify --model "$model" --video "$v" --labels a --sample bogus
expect 2 "--seed -1" -- classify --model "$model" --video "$v" --labels a --sample consecutive --seed -1
expect 2 "$tmp/nolabels.txt" -- classify --model "$model" --video "$v" --labels-file "$tmp/nolabels.txt"
: >"$tmp/blank.txt"
expect 2 "no labels in the file" -- classify --model "$model" --video "$v" --labels-file "$tmp/blank.txt"
expect 2 "exactly one of --video/--image/--manifest or --text" -- embed --model "$model" --video "$v" --text a
expect 2 "--out F and/or --json" -- embed --model "$model" --text a
# a model directory without tokenizer files
mkdir "$tmp/m" && cp "$model/config.json" "$model/model.safetensors" "$tmp/m/"
expect 2 "vocab.json" -- classify --model "$tmp/m" --video "$v" --labels a
# a processor config that does not fit the model
cp "$model"/* "$tmp/m/" && echo '{"size": 64, "crop_size": 48}' >"$tmp/m/preprocessor_config.json"
expect 3 "image_size is 32" -- classify --model "$tmp/m" --video "$v" --labels a
# command-line conventions: a flag twice, a value for a flag without one,
# "--" ending the options (a text that starts with "-"), strict numbers
expect 2 "option --labels given twice" -- classify --model "$model" --video "$v" --labels a --labels b
expect 2 "option --device given twice" -- classify --model "$model" --video "$v" --labels a --device cpu --device cpu
expect 2 "option --batch given twice" -- classify --model "$model" --video "$v" --labels a --batch 1 --batch 2
expect 2 "option --json takes no value" -- classify --model "$model" --video "$v" --labels a --json=yes
expect 2 "unknown option '--x'" -- tokenize --model "$model" --x
expect 0 "" -- tokenize --model "$model" -- "--x" "-y"
[ "$(grep -o '\[49406,' "$tmp/out" | wc -l)" -eq 2 ] && ok || bad "-- then two texts: $(cat "$tmp/out")"
expect 2 "--frames 08x" -- classify --model "$model" --video "$v" --labels a --frames 08x
expect 2 "--seed +1" -- classify --model "$model" --video "$v" --labels a --seed +1
expect 2 "--max-length 9999999999999999999999" -- tokenize --model "$model" --max-length 9999999999999999999999 a
# truncated video: decodes what is there and warns
expect 0 "" -- classify --model "$model" --video "$vids/truncated.mkv" --labels a,b
grep -q "warning" "$tmp/err" && ok || bad "truncated video: no warning: $(cat "$tmp/err")"

finish
