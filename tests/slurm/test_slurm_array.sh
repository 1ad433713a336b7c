#!/usr/bin/env bash
# test_slurm_array.sh CLX MODEL_DIR SBATCH_SCRIPT — scale-out on a real Slurm
# cluster (SLURM_CONF, as tools/dev/slurm-cluster.sh starts one), with the job
# script docs/SCALE_OUT.md gives:
#   - 44 generated videos (4 codecs, 6 sizes, one broken file) as a manifest;
#   - sbatch --array=0-3: the merged shard files equal one single-process run,
#     every video exactly once;
#   - again, with one array task's clx killed (SIGKILL) part-way through its shard,
#     then that index alone resubmitted: the merge equals the single run, no
#     video twice, no torn line.
# Without a cluster it exits 77 (ctest: skipped), unless CLX_REQUIRE_SLURM=1
# (CI), where that is a failure.
set -u
clx=$(realpath "$1") model=$(realpath "$2") script=$(realpath "$3")
. "$(dirname "$0")/../cli/lib.sh"

if ! command -v sbatch >/dev/null || ! sinfo -h >/dev/null 2>&1; then
  if [ "${CLX_REQUIRE_SLURM:-0}" = 1 ]; then
    echo "FAIL: CLX_REQUIRE_SLURM=1 but no Slurm cluster answers (SLURM_CONF=${SLURM_CONF:-unset})" >&2
    exit 1
  fi
  echo "skipped: no Slurm cluster (tools/dev/slurm-cluster.sh start DIR; export SLURM_CONF=DIR/slurm.conf)"
  exit 77
fi
command -v ffmpeg >/dev/null || { echo "FAIL: ffmpeg (the CLI) is needed to generate the videos" >&2; exit 1; }

export CLX=$clx CLX_CACHE_DIR=$tmp/cache
cd "$tmp"
strip() { sed 's/, "timing": {[^}]*}}$/}/' "$@"; }
# waits until job $1 has no task left in the queue
wait_job() { for _ in $(seq 600); do [ -z "$(squeue -h -j "$1" 2>/dev/null)" ] && return 0; sleep 0.5; done; bad "job $1 still queued after 300 s"; }
# the ids in records file(s), one per line, sorted
ids() { cat "$@" | sed 's/^{"id": "\([^"]*\)".*/\1/' | sort; }

# --- the collection: mixed codecs and sizes, and one file that is no video
mkdir -p videos
sizes=(160x120 320x240 96x160 256x144 200x200 128x96)
srcs=(testsrc testsrc2 smptebars rgbtestsrc)
n=0
for i in $(seq 0 42); do
  s=${sizes[$((i % 6))]} src=${srcs[$((i % 4))]}
  case $((i % 4)) in
    0) f=videos/v$i.mp4; enc=(-c:v libx264 -pix_fmt yuv420p) ;;
    1) f=videos/v$i.webm; enc=(-c:v libvpx-vp9 -deadline realtime -cpu-used 8) ;;
    2) f=videos/v$i.avi; enc=(-c:v mjpeg -q:v 5) ;;
    3) f=videos/v$i.mkv; enc=(-c:v mpeg4) ;;
  esac
  ffmpeg -v error -f lavfi -i "$src=size=$s:rate=10:duration=$((1 + i % 3)),hue=h=$((i * 37))" \
    "${enc[@]}" -y "$f" || { bad "ffmpeg could not make $f"; continue; }
  echo "$f" >>manifest.txt
  n=$((n + 1))
done
echo "not a video" >videos/broken.mp4
echo videos/broken.mp4 >>manifest.txt
n=$((n + 1))
printf 'a test pattern\ncolour bars\na cat on a sofa\npeople dancing\na red square\n' >labels.txt

# --- the reference: one process, the whole manifest
"$clx" classify --model "$model" --manifest manifest.txt --labels-file labels.txt --out ref.jsonl --quiet 2>ref.err
rc=$?
[ "$rc" -eq 3 ] && ok || bad "single run: exit $rc, want 3 (one broken file)"
[ "$(wc -l <ref.jsonl)" -eq $n ] && ok || bad "single run: $(wc -l <ref.jsonl) records, want $n"
[ "$(grep -c '"status": "ok"' ref.jsonl)" -eq $((n - 1)) ] && ok || bad "single run: want $((n - 1)) ok records"
strip ref.jsonl | sort >ref.sorted

# --- four array tasks, merged
sbatch --wait --array=0-3 -o "slurm-a-%a.log" "$script" "$model" manifest.txt labels.txt out-a >sbatch.out 2>&1
for i in 0 1 2 3; do
  [ -s out-a/shard-$i.jsonl ] && ok || bad "task $i wrote no records: $(cat slurm-a-$i.log 2>/dev/null)"
done
cmp -s <(strip out-a/shard-*.jsonl | sort) ref.sorted && ok \
  || bad "merged shards differ from the single run: $(diff <(strip out-a/shard-*.jsonl | sort) ref.sorted | head -5)"
[ -z "$(ids out-a/shard-*.jsonl | uniq -d)" ] && ok || bad "a video in two shards: $(ids out-a/shard-*.jsonl | uniq -d)"

# --- kill task 1 part-way (one video per forward, one decoder, so records come
# one at a time), resubmit index 1 alone with --resume
want1=$(wc -l <out-a/shard-1.jsonl)
# SIGKILL straight to task 1's clx (as a node failure would), the moment its
# file has a record: scancel's round trip through slurmctld can take longer
# than the task's few seconds of work. The watch reads the file with bash
# builtins (no fork per look); on a loaded host a task can still finish
# before the watch sees its first record, a race of the test, not of clx:
# then the whole job runs again, up to three times.
killed=0 got=$want1
for attempt in 1 2 3; do
  rm -rf out-b slurm-b-*.log
  jid=$(sbatch --parsable --array=0-3 -o "slurm-b-%a.log" "$script" "$model" manifest.txt labels.txt out-b \
    --batch 1 --decode-threads 1)
  [ -n "$jid" ] && ok || bad "sbatch gave no job id"
  killed=0
  for _ in $(seq 12000); do
    lines=()
    [ -s out-b/shard-1.jsonl ] && mapfile -t lines <out-b/shard-1.jsonl
    if [ "${#lines[@]}" -ge 1 ]; then
      pkill -KILL -f -- "--out out-b/shard-1.jsonl" && killed=1
      break
    fi
    sleep 0.005
  done
  wait_job "$jid"
  got=$(wc -l <out-b/shard-1.jsonl)
  [ "$killed" -eq 1 ] && [ "$got" -lt "$want1" ] && break
  echo "attempt $attempt: task 1 ran to $got of $want1 records before the watch could kill it; again"
done
[ "$killed" -eq 1 ] && ok || bad "task 1 was never seen running with a record written (3 attempts)"
[ "$got" -lt "$want1" ] && ok || bad "task 1 finished ($got of $want1 records) before it was killed; the kill proved nothing"
CLX_SHARDS=4 sbatch --wait --array=1 -o "slurm-c-%a.log" "$script" "$model" manifest.txt labels.txt out-b \
  --batch 1 --decode-threads 1 >sbatch.out 2>&1
[ "$(wc -l <out-b/shard-1.jsonl)" -eq "$want1" ] && ok \
  || bad "after the resubmit task 1 has $(wc -l <out-b/shard-1.jsonl) records, want $want1: $(cat slurm-c-1.log)"
[ -z "$(ids out-b/shard-*.jsonl | uniq -d)" ] && ok || bad "a video twice after the resubmit: $(ids out-b/shard-*.jsonl | uniq -d)"
grep -vq '}$' out-b/shard-*.jsonl && bad "a torn line: $(grep -v '}$' out-b/shard-*.jsonl | head -2)" || ok
cmp -s <(strip out-b/shard-*.jsonl | sort) ref.sorted && ok \
  || bad "killed + resubmitted shards differ from the single run: $(diff <(strip out-b/shard-*.jsonl | sort) ref.sorted | head -5)"
echo "task 1: killed after $got of $want1 records, resubmitted with --resume"
finish
