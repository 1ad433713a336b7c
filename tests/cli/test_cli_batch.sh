#!/usr/bin/env bash
# test_cli_batch.sh CLX MODEL_DIR VIDEO_DIR — `clx classify` over a
# collection, end to end on the CPU reference:
#   - a directory with a broken and an audio-only file: every video gets
#     one record, the two failures carry errors naming their files, exit 3;
#   - --batch 3 and --batch 1 give identical records (timing aside); the
#     second run reads the labels' text features from the label cache;
#   - manifests with ids and relative paths;
#   - the four shards of --shard i/4 together are the whole run, and
#     JOB_COMPLETION_INDEX / SLURM_ARRAY_TASK_ID select the same shards;
#   - kill -9 part-way (deterministic: the manifest comes through a pipe the
#     test holds), a torn last line, then --resume: each video exactly once,
#     records equal to a run without interruption;
#   - the progress line only on a terminal;
#   - bad usage and bad input: exit 2 with one stderr line naming the problem.
set -u
clx=$1 model=$2 vids=$3
. "$(dirname "$0")/lib.sh"
export CLX_CACHE_DIR=$tmp/cache
labels="playing sports, eating spaghetti, a cat on a sofa"

# records without the one field that varies between runs
strip() { sed 's/, "timing": {[^}]*}}$/}/' "$1"; }
# runs clx; stdout to $tmp/out, stderr to $tmp/err, exit code to $rc
run() { "$clx" "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; }

coll=$tmp/coll
mkdir -p "$coll/sub" "$tmp/empty"
cp "$vids/h264.mp4" "$vids/vp9.webm" "$vids/anim.gif" "$coll/"
cp "$vids/mjpeg.avi" "$vids/portrait.mkv" "$coll/sub/"
cp "$vids/audio.m4a" "$coll/sub/audio.mp4"          # no video stream
echo "this is not a video" >"$coll/sub/broken.mkv"
echo "not taken: no video extension" >"$coll/notes.txt"
n_all=7

# --- a directory: one record per video, failures recorded, exit 3
run classify --model "$model" --video "$coll" --labels "$labels" --batch 3 --out "$tmp/a.jsonl"
[ "$rc" -eq 3 ] && ok || bad "directory run: exit $rc, want 3: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/a.jsonl")" -eq $n_all ] && ok || bad "directory run: $(wc -l <"$tmp/a.jsonl") records, want $n_all"
[ "$(grep -c '"status": "error"' "$tmp/a.jsonl")" -eq 2 ] && ok || bad "two error records: $(cat "$tmp/a.jsonl")"
grep '"status": "error"' "$tmp/a.jsonl" | grep -q "broken.mkv\".*\"error\": \"$coll/sub/broken.mkv:" && ok \
  || bad "the broken file's error names it: $(grep broken "$tmp/a.jsonl")"
grep -q "audio.mp4.*no video stream" "$tmp/err" && ok || bad "stderr names the audio-only file: $(cat "$tmp/err")"
grep -q "7 videos.*5 ok, 2 failed" "$tmp/err" && ok || bad "summary: $(cat "$tmp/err")"
lacks a.jsonl notes.txt
grep -q $'\r' "$tmp/err" && bad "a progress line on a non-terminal" || ok

# --- one by one: the same records; the text features come from the cache
run classify --model "$model" --video "$coll" --labels "$labels" --batch 1 --decode-threads 1 --out "$tmp/b.jsonl"
[ "$rc" -eq 3 ] && ok || bad "one-by-one run: exit $rc"
cmp -s <(strip "$tmp/a.jsonl") <(strip "$tmp/b.jsonl") && ok || bad "batch 3 and batch 1 records differ: $(diff <(strip "$tmp/a.jsonl") <(strip "$tmp/b.jsonl") | head -5)"
has err "text features: cache"

# --- a manifest: ids, relative paths, comments
printf '# a comment\n\n{"id": "first", "path": "h264.mp4"}\nsub/mjpeg.avi\n{"path": "vp9.webm"}\n' >"$coll/m.txt"
run classify --model "$model" --manifest "$coll/m.txt" --labels "$labels" --json
[ "$rc" -eq 0 ] && ok || bad "manifest run: exit $rc: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/out")" -eq 3 ] && ok || bad "manifest: 3 records: $(cat "$tmp/out")"
has out "\"id\": \"first\", \"path\": \"$coll/h264.mp4\""
has out "\"id\": \"sub/mjpeg.avi\", \"path\": \"$coll/sub/mjpeg.avi\""

# --- shards: a partition of the whole run, however the index is given
strip "$tmp/a.jsonl" | sort >"$tmp/all.sorted"
: >"$tmp/shards"
for i in 0 1 2 3; do
  run classify --model "$model" --video "$coll" --labels "$labels" --shard $i/4 --out "$tmp/s$i.jsonl"
  [ "$rc" -le 3 ] && ok || bad "shard $i/4: exit $rc: $(cat "$tmp/err")"
  strip "$tmp/s$i.jsonl" >>"$tmp/shards"
  JOB_COMPLETION_INDEX=$i "$clx" classify --model "$model" --video "$coll" --labels "$labels" --shards 4 \
    --out "$tmp/k$i.jsonl" 2>/dev/null
  cmp -s <(strip "$tmp/s$i.jsonl") <(strip "$tmp/k$i.jsonl") && ok || bad "JOB_COMPLETION_INDEX=$i is not --shard $i/4"
  SLURM_ARRAY_TASK_ID=$((i + 10)) SLURM_ARRAY_TASK_MIN=10 SLURM_ARRAY_TASK_COUNT=4 "$clx" classify --model "$model" \
    --video "$coll" --labels "$labels" --out "$tmp/l$i.jsonl" 2>"$tmp/err"
  cmp -s <(strip "$tmp/s$i.jsonl") <(strip "$tmp/l$i.jsonl") && ok || bad "SLURM_ARRAY_TASK_ID=$((i + 10)) is not --shard $i/4"
  has err "shard from SLURM_ARRAY_TASK_ID"
done
cmp -s <(sort "$tmp/shards") "$tmp/all.sorted" && ok || bad "the four shards are not the whole run: $(diff <(sort "$tmp/shards") "$tmp/all.sorted" | head -5)"

# --- kill -9 part-way, a torn line, then --resume
good=(h264.mp4 vp9.webm anim.gif sub/mjpeg.avi sub/portrait.mkv)
for f in "${good[@]}"; do echo "$coll/$f"; done >"$tmp/full.txt"
echo "$coll/sub/broken.mkv" >>"$tmp/full.txt"
run classify --model "$model" --manifest "$tmp/full.txt" --labels "$labels" --out "$tmp/ref.jsonl"
mkfifo "$tmp/fifo"
"$clx" classify --model "$model" --manifest - --labels "$labels" --batch 2 --decode-threads 1 \
  --out "$tmp/r.jsonl" --quiet <"$tmp/fifo" 2>/dev/null &
pid=$!
exec 3>"$tmp/fifo"
head -5 "$tmp/full.txt" >&3   # two full batches, and one video waiting for its batch
for _ in $(seq 1 600); do
  [ -f "$tmp/r.jsonl" ] && [ "$(wc -l <"$tmp/r.jsonl")" -ge 4 ] && break
  sleep 0.1
done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
exec 3>&-
[ "$(wc -l <"$tmp/r.jsonl")" -eq 4 ] && ok || bad "killed run: $(wc -l <"$tmp/r.jsonl") records, want 4"
[ "$(tail -c 1 "$tmp/r.jsonl" | od -An -c | tr -d ' ')" = '\n' ] && ok || bad "killed run left a torn line"
printf '{"id": "torn", "pa' >>"$tmp/r.jsonl"    # as a kill inside write() would
run classify --model "$model" --manifest "$tmp/full.txt" --labels "$labels" --out "$tmp/r.jsonl" --resume
[ "$rc" -eq 3 ] && ok || bad "resume: exit $rc (the broken file fails): $(cat "$tmp/err")"
has err "cut off by an interrupted run"
has err "4 already in $tmp/r.jsonl"
[ "$(wc -l <"$tmp/r.jsonl")" -eq 6 ] && ok || bad "resumed: $(wc -l <"$tmp/r.jsonl") records, want 6"
[ "$(grep -o '"path": "[^"]*"' "$tmp/r.jsonl" | sort | uniq -d | wc -l)" -eq 0 ] && ok || bad "a video recorded twice"
cmp -s <(strip "$tmp/r.jsonl" | sort) <(strip "$tmp/ref.jsonl" | sort) && ok || bad "resumed records differ from one run: $(diff <(strip "$tmp/r.jsonl" | sort) <(strip "$tmp/ref.jsonl" | sort) | head -4)"
run classify --model "$model" --manifest "$tmp/full.txt" --labels "$labels" --out "$tmp/r.jsonl" --resume
[ "$rc" -eq 0 ] && ok || bad "second resume: exit $rc"
[ "$(wc -l <"$tmp/r.jsonl")" -eq 6 ] && ok || bad "second resume added records"
has err "0 videos"

# --- the progress line on a terminal
if command -v script >/dev/null; then
  script -qec "'$clx' classify --model '$model' --video '$coll' --labels '$labels' --out '$tmp/p.jsonl'" /dev/null \
    >"$tmp/tty" 2>&1
  grep -q "videos/s, ETA" "$tmp/tty" && ok || bad "no progress line on a terminal: $(cat "$tmp/tty")"
else
  bad "script(1) is missing: the terminal progress line is not tested"
fi

# --- bad usage and bad input
expect 2 "none.txt: No such file or directory" -- classify --model "$model" --manifest "$tmp/none.txt" --labels a
printf 'h264.mp4\n{"path": \n' >"$tmp/bad.txt"
expect 2 "bad.txt:2" -- classify --model "$model" --manifest "$tmp/bad.txt" --labels a
printf '{"id": 3, "path": "x.mp4"}\n' >"$tmp/badid.txt"
expect 2 "badid.txt:1: need {\"path\"" -- classify --model "$model" --manifest "$tmp/badid.txt" --labels a
expect 2 "coll: not a regular file (a directory)" -- classify --model "$model" --manifest "$coll" --labels a
expect 2 "no video files in the directory" -- classify --model "$model" --video "$tmp/empty" --labels a
expect 2 "--shard 4/4: need i/n with 0 <= i < n" -- classify --model "$model" --video "$coll" --labels a --shard 4/4
expect 2 "--shard x: need i/n" -- classify --model "$model" --video "$coll" --labels a --shard x
expect 2 "not both" -- classify --model "$model" --video "$coll" --labels a --shard 0/2 --shards 2
expect 2 "no shard index" -- classify --model "$model" --video "$coll" --labels a --shards 2
expect 2 "--resume needs --out" -- classify --model "$model" --video "$coll" --labels a --resume
expect 2 "the file has records; --resume continues it" -- classify --model "$model" --video "$coll" --labels a --out "$tmp/a.jsonl"
expect 2 "--batch needs an integer" -- classify --model "$model" --video "$coll" --labels a --batch 0
expect 2 "--decode-threads needs an integer" -- classify --model "$model" --video "$coll" --labels a --decode-threads 0
expect 2 "an .npy holds one input's embedding" -- embed --model "$model" --video "$coll" --out "$tmp/e.npy"
JOB_COMPLETION_INDEX=1 expect 2 "the number of shards is not known" -- classify --model "$model" --video "$coll" --labels a
SLURM_ARRAY_TASK_ID=x expect 2 "SLURM_ARRAY_TASK_ID=x: need an integer" -- classify --model "$model" --video "$coll" --labels a
SLURM_ARRAY_TASK_ID=5 SLURM_ARRAY_TASK_COUNT=4 expect 2 "not one of the array's 4 tasks" -- classify --model "$model" --video "$coll" --labels a
printf '%s\n{"path": 1}\n' "$coll/h264.mp4" | "$clx" classify --model "$model" --manifest - --labels a --json \
  >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && ok || bad "a bad line on standard input: exit $rc"
has err "--manifest: standard input:2"
[ "$(wc -l <"$tmp/out")" -eq 1 ] && ok || bad "the video before the bad line is recorded: $(cat "$tmp/out")"

finish
