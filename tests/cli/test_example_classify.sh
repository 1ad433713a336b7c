#!/usr/bin/env bash
# test_example_classify.sh EXAMPLE CLX MODEL_DIR VIDEO_DIR DEVICE — the C API
# example (examples/classify_videos.c: one clx_classifier_classify, then one
# clx_classifier_classify_batch) gives, for every video, the probabilities
# `clx classify` gives on the same device, and the same failure for a file
# that is no video (exit 3).
set -u
example=$1 clx=$2 model=$3 vids=$4 device=$5
. "$(dirname "$0")/lib.sh"
export CLX_CACHE_DIR=$tmp/cache
labels="playing sports, eating spaghetti, a cat on a sofa"
echo "not a video" >"$tmp/broken.mkv"
videos=("$vids/h264.mp4" "$vids/vp9.webm" "$tmp/broken.mkv" "$vids/anim.gif" "$vids/mjpeg.avi")

"$example" "$model" "$device" "$labels" "${videos[@]}" >"$tmp/ex" 2>"$tmp/ex.err"
rc=$?
[ "$rc" -eq 3 ] && ok || bad "example: exit $rc, want 3 (one broken file): $(cat "$tmp/ex.err")"
[ "$(grep -c $'\terror\t' "$tmp/ex")" -eq 1 ] && ok || bad "example: want one error line: $(cat "$tmp/ex")"
grep -q "^$tmp/broken.mkv"$'\terror\t'"$tmp/broken.mkv: " "$tmp/ex" && ok || bad "example: the error names the file: $(cat "$tmp/ex")"

"$clx" classify --model "$model" --device "$device" --labels "$labels" --json \
  $(printf -- '--video %s ' "${videos[@]}") >"$tmp/cli" 2>"$tmp/cli.err"
rc=$?
[ "$rc" -eq 3 ] && ok || bad "clx classify: exit $rc, want 3: $(cat "$tmp/cli.err")"
# a record's labels as "PATH<tab>LABEL<tab>PROBABILITY" lines
sed -n 's/^{"id": "[^"]*", "path": "\([^"]*\)".*"labels": \[\(.*\)\], "timing".*/\1\t\2/p' "$tmp/cli" |
  while IFS=$'\t' read -r path list; do
    echo "$list" | grep -o '"label": "[^"]*", "probability": [^,]*' |
      sed "s|^\"label\": \"\\([^\"]*\\)\", \"probability\": |$path\t\\1\t|"
  done | sort >"$tmp/cli.probs"
grep -v $'\terror\t' "$tmp/ex" | sort >"$tmp/ex.probs"
[ "$(wc -l <"$tmp/ex.probs")" -eq 12 ] && ok || bad "example: want 4 videos x 3 labels: $(cat "$tmp/ex")"
cmp -s "$tmp/ex.probs" "$tmp/cli.probs" && ok || bad "example and clx classify differ: $(diff "$tmp/ex.probs" "$tmp/cli.probs" | head -6)"
finish
