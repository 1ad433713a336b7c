#!/usr/bin/env bash
# test_cli_inputs.sh CLX MODEL_DIR VIDEO_DIR TINY_FIXTURE_DIR — inputs that
# are not regular files, for every file-taking option: a FIFO with a writer,
# a FIFO with no writer (CLX_INPUT_TIMEOUT=1: an error within the deadline,
# never a hang, including in open()), standard input ('-'), and device
# nodes, symbolic link loops and NUL bytes. Streams are read to their end
# (videos spooled to a temporary file) or refused at once where the input
# must be a file (model.safetensors is mapped, .npy is seeked, --out is
# fsync'ed and resumed).
set -u
clx=$1 model=$2 vids=$3 tiny=$4
. "$(dirname "$0")/lib.sh"
export CLX_CACHE_DIR=$tmp/cache CLX_INPUT_TIMEOUT=1
labels="a dog,a cat"
v=$(realpath "$vids/h264.mp4")

# feed FILE FIFO: one writer for the FIFO, gone after 20 s if never read
feed() { timeout 20 sh -c 'cat "$1" > "$2"' sh "$1" "$2" 2>/dev/null & }
# bounded CMD...: runs clx under a 30 s watchdog (a hang is exit 124)
bounded() { timeout 30 "$clx" "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; }
fifo() { rm -f "$tmp/$1"; mkfifo "$tmp/$1"; echo "$tmp/$1"; }

"$clx" classify --model "$model" --video "$v" --labels "$labels" --json >"$tmp/ref" 2>/dev/null
strip() { sed 's/"id": "[^"]*", "path": "[^"]*", "size": [-0-9]*, "mtime_ns": [0-9]*, //; s/, "timing": {[^}]*}}$/}/' "$1"; }

# --- --video
f=$(fifo v.fifo); feed "$v" "$f"
bounded classify --model "$model" --video "$f" --labels "$labels" --json
[ "$rc" -eq 0 ] && ok || bad "--video FIFO with a writer: exit $rc: $(cat "$tmp/err")"
cmp -s <(strip "$tmp/out") <(strip "$tmp/ref") && ok || bad "--video FIFO: not the file's result: $(strip "$tmp/out")"
timeout 30 "$clx" classify --model "$model" --video - --labels "$labels" --json <"$v" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && ok || bad "--video - (a redirected file): $(cat "$tmp/err")"
cmp -s <(strip "$tmp/out") <(strip "$tmp/ref") && ok || bad "--video -: not the file's result"
cat "$v" | timeout 30 "$clx" classify --model "$model" --video - --labels "$labels" --json >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && ok || bad "--video - (a pipe): $(cat "$tmp/err")"
cmp -s <(strip "$tmp/out") <(strip "$tmp/ref") && ok || bad "--video - from a pipe: not the file's result"
f=$(fifo nv.fifo)
bounded classify --model "$model" --video "$f" --labels "$labels"
[ "$rc" -eq 3 ] && ok || bad "--video FIFO without a writer: exit $rc (124: hung): $(cat "$tmp/err")"
has err "nv.fifo: no data for 1 s"
: | timeout 30 "$clx" classify --model "$model" --video - --labels "$labels" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 3 ] && ok || bad "--video - empty pipe: $(cat "$tmp/err")"
has err "standard input: empty"
expect 3 "/dev/zero: not a regular file (a character device)" -- classify --model "$model" --video /dev/zero --labels a
ln -s loop2 "$tmp/loop1"; ln -s loop1 "$tmp/loop2"
expect 3 "a symbolic link loop" -- classify --model "$model" --video "$tmp/loop1" --labels a

# --- --labels-file
printf 'a dog\na cat\n' >"$tmp/labels.txt"
f=$(fifo l.fifo); feed "$tmp/labels.txt" "$f"
bounded classify --model "$model" --video "$v" --labels-file "$f" --json
[ "$rc" -eq 0 ] && ok || bad "--labels-file FIFO with a writer: exit $rc: $(cat "$tmp/err")"
cmp -s <(strip "$tmp/out") <(strip "$tmp/ref") && ok || bad "--labels-file FIFO: other labels"
timeout 30 "$clx" classify --model "$model" --video "$v" --labels-file - --json <"$tmp/labels.txt" >"$tmp/out" 2>"$tmp/err"
cmp -s <(strip "$tmp/out") <(strip "$tmp/ref") && ok || bad "--labels-file -: $(cat "$tmp/err")"
f=$(fifo nl.fifo)
bounded classify --model "$model" --video "$v" --labels-file "$f"
[ "$rc" -eq 2 ] && ok || bad "--labels-file FIFO without a writer: exit $rc (124: hung)"
has err "nl.fifo: no data for 1 s"
# a stream is capped as it arrives, like a file by its size (16 MiB)
head -c 16777300 /dev/zero | tr '\0' 'a' | timeout 30 "$clx" classify --model "$model" --video "$v" \
  --labels-file - >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && ok || bad "--labels-file - over the cap: $(cat "$tmp/err")"
has err "standard input: more than the 16777216-byte limit"
printf 'a dog\na c\0at\n' >"$tmp/nul.txt"
expect 2 "nul.txt:2: a NUL byte inside a label" -- classify --model "$model" --video "$v" --labels-file "$tmp/nul.txt"
expect 2 "/dev/zero: not a regular file (a character device)" -- classify --model "$model" --video "$v" --labels-file /dev/zero
expect 2 "can feed one of --video, --image, --manifest and --labels-file" -- classify --model "$model" --video - --labels-file -

# --- --manifest
echo "$v" >"$tmp/m.txt"
f=$(fifo m.fifo); feed "$tmp/m.txt" "$f"
bounded classify --model "$model" --manifest "$f" --labels "$labels" --json
[ "$rc" -eq 0 ] && ok || bad "--manifest FIFO with a writer: exit $rc: $(cat "$tmp/err")"
cmp -s <(strip "$tmp/out") <(strip "$tmp/ref") && ok || bad "--manifest FIFO: $(cat "$tmp/out")"
f=$(fifo nm.fifo)
bounded classify --model "$model" --manifest "$f" --labels "$labels"
[ "$rc" -eq 2 ] && ok || bad "--manifest FIFO without a writer: exit $rc (124: hung)"
has err "nm.fifo: no data for 1 s"
(sleep 3; echo "$v") | timeout 30 "$clx" classify --model "$model" --manifest - --labels "$labels" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && ok || bad "--manifest - silent for 3 s: want the 1 s deadline"
has err "standard input: no data for 1 s"
expect 2 "only one manifest can be a stream" -- classify --model "$model" --manifest "$tmp/m.fifo" --manifest - --labels a < <(:)

# --- --out: a file only (never opened when it is not one)
f=$(fifo o.fifo)
expect 2 "o.fifo: not a regular file" -- classify --model "$model" --video "$v" --labels a --out "$f"
expect 2 "/dev/null: not a regular file" -- classify --model "$model" --video "$v" --labels a --out /dev/null --resume

# --- the model folder's files
mk_model() { rm -rf "$tmp/mm"; mkdir "$tmp/mm"; cp "$model"/* "$tmp/mm/"; }
mk_model; rm "$tmp/mm/config.json"; mkfifo "$tmp/mm/config.json"; feed "$model/config.json" "$tmp/mm/config.json"
bounded classify --model "$tmp/mm" --video "$v" --labels "$labels" --json
[ "$rc" -eq 0 ] && ok || bad "config.json a FIFO with a writer: exit $rc: $(cat "$tmp/err")"
mk_model; rm "$tmp/mm/vocab.json"; mkfifo "$tmp/mm/vocab.json"
bounded classify --model "$tmp/mm" --video "$v" --labels "$labels"
[ "$rc" -eq 2 ] && ok || bad "vocab.json a FIFO without a writer: exit $rc (124: hung)"
has err "vocab.json: no data for 1 s"
mk_model; rm "$tmp/mm/model.safetensors"; mkfifo "$tmp/mm/model.safetensors"
bounded classify --model "$tmp/mm" --video "$v" --labels "$labels"
[ "$rc" -eq 2 ] && ok || bad "model.safetensors a FIFO: exit $rc (124: hung)"
has err "model.safetensors: not a regular file (a FIFO or pipe); give the file itself"
mk_model; ln -sf /dev/zero "$tmp/mm/model.safetensors"
expect 2 "model.safetensors: not a regular file (a character device)" -- classify --model "$tmp/mm" --video "$v" --labels a
mk_model; ln -sf /dev/zero "$tmp/mm/config.json"
expect 2 "config.json: not a regular file (a character device)" -- classify --model "$tmp/mm" --video "$v" --labels a
mk_model; ln -sf /dev/zero "$tmp/mm/preprocessor_config.json"
expect 2 "preprocessor_config.json: not a regular file (a character device)" -- classify --model "$tmp/mm" --video "$v" --labels a
expect 2 "loop1: a symbolic link loop" -- classify --model "$tmp/loop1" --video "$v" --labels a
expect 2 "not a directory" -- classify --model "$model/config.json" --video "$v" --labels a

# --- clx run's .npy inputs: files only, refused at once
px=$tiny/pixel_values.npy ids=$tiny/input_ids.npy
f=$(fifo px.fifo)
expect 2 "px.fifo: not a regular file (a FIFO or pipe)" -- run --model "$tiny" --pixel-values "$f" --input-ids "$ids" --out "$tmp/o"
expect 2 "standard input: not a regular file (a FIFO or pipe)" -- run --model "$tiny" --pixel-values - --input-ids "$ids" --out "$tmp/o" < <(:)
expect 2 "/dev/zero: not a regular file (a character device)" -- run --model "$tiny" --pixel-values "$px" --input-ids /dev/zero --out "$tmp/o"

finish
