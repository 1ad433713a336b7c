#!/usr/bin/env bash
# test_cli_run.sh CLX TINY_FIXTURE_DIR — `clx run` end to end and its bad
# usage / bad input: exit status 2 with exactly one stderr line naming the
# problem, 0 with the four .npy outputs otherwise.
set -u
clx=$1 tiny=$2
. "$(dirname "$0")/lib.sh"

px=$tiny/pixel_values.npy ids=$tiny/input_ids.npy mask=$tiny/attention_mask.npy
expect 0 "" -- run --model "$tiny" --pixel-values "$px" --input-ids "$ids" --attention-mask "$mask" --out "$tmp/o"
for f in logits_per_video logits_per_text video_embeds text_embeds; do
  [ -s "$tmp/o/$f.npy" ] && ok || bad "missing $f.npy"
done
grep -q "video 1:" "$tmp/out" && ok || bad "logits not printed"
expect 0 "" -- run --model "$tiny" --pixel-values "$px" --input-ids "$ids" --out "$tmp/o2" --json
grep -q '"logits_per_video": \[\[' "$tmp/out" && ok || bad "--json output: $(cat "$tmp/out")"
# a path that needs JSON escaping stays one valid string
expect 0 "" -- run --model "$tiny" --pixel-values "$px" --input-ids "$ids" --out "$tmp/o\"q" --json
grep -qF '"out": "'"$tmp"'/o\"q"' "$tmp/out" && ok || bad "--json escapes the path: $(cat "$tmp/out")"
expect 0 "" -- run --help
expect 0 "" -- --help

expect 2 "unknown command" -- frobnicate
expect 2 "unknown option '--bogus'" -- run --bogus
expect 2 "are required" -- run --model "$tiny"
expect 2 "needs a value" -- run --model
expect 2 "/nonexistent: model directory not found" -- run --model /nonexistent --pixel-values "$px" --input-ids "$ids" --out "$tmp/o"
expect 2 "missing.npy" -- run --model "$tiny" --pixel-values "$tmp/missing.npy" --input-ids "$ids" --out "$tmp/o"
expect 2 "pixel_values must be float (B, 8, 3, 30, 30)" -- run --model "$tiny" --pixel-values "$ids" --input-ids "$ids" --out "$tmp/o"
expect 2 "expected a 2-D integer array" -- run --model "$tiny" --pixel-values "$px" --input-ids "$px" --out "$tmp/o"
printf 'garbage' >"$tmp/garbage.npy"
expect 2 "garbage.npy" -- run --model "$tiny" --pixel-values "$tmp/garbage.npy" --input-ids "$ids" --out "$tmp/o"
expect 2 "no-such-device" -- run --model "$tiny" --pixel-values "$px" --input-ids "$ids" --out "$tmp/o" --device no-such-device
# out-of-vocabulary ids and a non-0/1 mask (written with clx's own writer via a copy trick:
# the fixture's ids are int64 little-endian; patch the first id to 99 = vocab size).
cp "$ids" "$tmp/oov.npy"
hdr=$(( $(od -An -tu2 -j8 -N2 "$tmp/oov.npy") + 10 ))
printf '\x63' | dd of="$tmp/oov.npy" bs=1 seek="$hdr" conv=notrunc 2>/dev/null
expect 2 "input_ids[0][0] = 99 is outside the vocabulary [0, 99)" -- run --model "$tiny" --pixel-values "$px" --input-ids "$tmp/oov.npy" --out "$tmp/o"
cp "$mask" "$tmp/mask2.npy"
printf '\x02' | dd of="$tmp/mask2.npy" bs=1 seek="$hdr" conv=notrunc 2>/dev/null
expect 2 "attention_mask[0][0] = 2; must be 0 or 1" -- run --model "$tiny" --pixel-values "$px" --input-ids "$ids" --attention-mask "$tmp/mask2.npy" --out "$tmp/o"
touch "$tmp/file"
expect 2 "exists and is not a directory" -- run --model "$tiny" --pixel-values "$px" --input-ids "$ids" --out "$tmp/file"

finish
