#!/bin/sh
# bench_decode.sh — decode-time benchmark (not a test): makes a 10-minute
# 1080p30 H.264 MP4 with ffmpeg (testsrc2, x264 defaults: keyframe every 250
# frames, B-frames) in a temporary folder — or uses $BENCH_VIDEO if set — and
# times clx_video_read sampling 8 frames uniformly, seeking (auto) and, for
# comparison, decoding from the start (never).
#
# Usage: tools/dev/bench/bench_decode.sh BUILD_DIR   (after building clx_bench_decode)
set -eu
build=${1:-build}
bin="$build/clx-bench-decode"
[ -x "$bin" ] || { echo "build the clx_bench_decode target first ($bin)" >&2; exit 2; }
video=${BENCH_VIDEO:-}
if [ -z "$video" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  video="$tmp/bench_1080p_10min.mp4"
  echo "encoding $video (10 min, 1920x1080, 30 fps, libx264 veryfast) ..."
  ffmpeg -hide_banner -loglevel error -nostdin -y -f lavfi \
    -i testsrc2=size=1920x1080:rate=30 -t 600 -c:v libx264 -preset veryfast \
    -pix_fmt yuv420p "$video"
fi
ls -l "$video"
echo "== 8 frames, uniform, seeking (default)"
"$bin" "$video" 8 uniform 3 auto
echo "== 8 frames, consecutive (seed 0), seeking"
"$bin" "$video" 8 consecutive 3 auto
if [ "${BENCH_SEQUENTIAL:-0}" != 0 ]; then
  echo "== 8 frames, uniform, decoding from the start (what PyAV's docs loop does)"
  "$bin" "$video" 8 uniform 1 never
fi
