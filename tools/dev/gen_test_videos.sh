#!/bin/sh
# gen_test_videos.sh — makes the small test videos under tests/fixtures/video/
# from FFmpeg's synthetic lavfi sources (testsrc2, mandelbrot, sine). Output
# is committed; rerun only to change the set (then rerun
# tools/dev/gen_video_golden.py). Development only: needs the `ffmpeg` program.
#
# Each file covers one container/codec or one awkward property:
#   h264.mp4        MP4/H.264 4:2:0 with B-frames, keyframe every 10 frames
#   bt709.mov       MOV/H.264 tagged BT.709 (matrix comes from the frame)
#   fullrange.mp4   MP4/H.264 full-range (yuvj420p)
#   vp9.webm        WebM/VP9: no frame count in the header
#   mjpeg.avi       AVI/MJPEG 4:2:2 full range, odd size 97x61
#   anim.gif        animated GIF, odd size 75x49
#   portrait.mkv    MKV/H.264, portrait 72x128
#   odd444.mkv      MKV/H.264 4:4:4, odd size 97x61
#   vfr.mp4         MP4/H.264 with a variable frame rate
#   interlaced.mp4  MP4/H.264 coded interlaced (frames flagged interlaced)
#   rotated.mp4     MP4/H.264 with a 90-degree display-rotation matrix
#   resize.mkv      MKV/H.264 whose resolution changes mid-stream
#   truncated.mkv   MKV/H.264 cut at 60% of its bytes
#   audio.m4a       AAC only, no video stream (a bad input)
# and high bit depths, odd chroma layouts and sitings (RGB conversion):
#   p10.mp4         H.264 High 10, 4:2:0 10-bit, chroma sited left
#   p10full.mp4     the same, full range
#   p10center.mkv   H.264 4:2:0 10-bit, chroma sited centre, 70x38
#   p10il.mp4       H.264 4:2:0 10-bit, coded interlaced
#   p422p10.mkv     H.264 4:2:2 10-bit
#   p444p10.mkv     H.264 4:4:4 10-bit
#   hevc10.mkv      HEVC Main 10, 4:2:0, limited range, tagged BT.709
#   hevc12.mkv      HEVC Main 12, 4:2:0 12-bit
#   hevc422p12.mkv  HEVC 4:2:2 12-bit
#   hevc444p12.mkv  HEVC 4:4:4 12-bit, full range
#   vp9p10odd.webm  VP9 profile 2, 4:2:0 10-bit, odd height 66x37
#   vp9p10oddw.webm VP9 profile 2, 4:2:0 10-bit, odd width 65x36
#   vp9oddodd.webm  VP9 4:2:0 8-bit, odd width and height 65x37
#   vp9p440.webm    VP9 4:4:0 8-bit
#   vp9p440p10.webm VP9 4:4:0 10-bit
set -eu
out=${1:-$(dirname "$0")/../../tests/fixtures/video}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ff() { ffmpeg -hide_banner -loglevel error -nostdin -y "$@"; }
# Bit-exact, metadata-free output so reruns give the same bytes.
bx="-fflags +bitexact -flags:v +bitexact -map_metadata -1"
x264="-c:v libx264 -preset medium -x264-params threads=1"

ff -f lavfi -i testsrc2=size=128x96:rate=15 -t 2 $bx $x264 -g 10 -bf 2 \
   -pix_fmt yuv420p "$out/h264.mp4"
ff -f lavfi -i mandelbrot=size=96x64:rate=12 -t 1.5 $bx $x264 -g 6 \
   -pix_fmt yuv420p -colorspace bt709 -color_primaries bt709 -color_trc bt709 \
   "$out/bt709.mov"
ff -f lavfi -i testsrc2=size=96x72:rate=10 -t 2 $bx $x264 -g 8 \
   -pix_fmt yuvj420p -color_range pc "$out/fullrange.mp4"
ff -f lavfi -i testsrc2=size=112x80:rate=12 -t 2 $bx -c:v libvpx-vp9 -b:v 200k \
   -g 8 -threads 1 -pix_fmt yuv420p "$out/vp9.webm"
ff -f lavfi -i mandelbrot=size=97x61:rate=10 -t 2 $bx -c:v mjpeg -q:v 5 \
   -pix_fmt yuvj422p "$out/mjpeg.avi"
ff -f lavfi -i mandelbrot=size=75x49:rate=8 -t 1.5 $bx "$out/anim.gif"
ff -f lavfi -i testsrc2=size=72x128:rate=12 -t 2 $bx $x264 -g 12 \
   -pix_fmt yuv420p "$out/portrait.mkv"
ff -f lavfi -i mandelbrot=size=97x61:rate=10 -t 1.5 $bx $x264 -g 5 \
   -pix_fmt yuv444p "$out/odd444.mkv"
# Keep 2 of every 3 frames after the first 10: timestamps jump irregularly.
ff -f lavfi -i testsrc2=size=96x64:rate=20 -t 2.5 $bx $x264 -g 9 \
   -vf "select='lt(n\,10)+gt(mod(n\,3)\,0)'" -fps_mode vfr -pix_fmt yuv420p "$out/vfr.mp4"
ff -f lavfi -i testsrc2=size=96x64:rate=12 -t 1.5 $bx $x264 -g 6 \
   -flags:v +ildct+ilme+bitexact -pix_fmt yuv420p "$out/interlaced.mp4"
# FFmpeg 5.1 honours the rotate tag only when stream-copying: encode, then remux.
ff -f lavfi -i testsrc2=size=96x64:rate=10 -t 1.5 $bx $x264 -g 5 \
   -pix_fmt yuv420p "$tmp/rot.mp4"
ff -i "$tmp/rot.mp4" -c copy $bx -metadata:s:v:0 rotate=90 "$out/rotated.mp4"
# Two raw H.264 streams of different sizes, concatenated, then muxed as one.
ff -f lavfi -i testsrc2=size=96x64:rate=10 -t 1 $bx $x264 -g 5 -bf 0 -pix_fmt yuv420p "$tmp/a.h264"
ff -f lavfi -i mandelbrot=size=64x48:rate=10 -t 1 $bx $x264 -g 5 -bf 0 -pix_fmt yuv420p "$tmp/b.h264"
cat "$tmp/a.h264" "$tmp/b.h264" > "$tmp/ab.h264"
ff -fflags +genpts -r 10 -i "$tmp/ab.h264" -c copy $bx "$out/resize.mkv"
ff -f lavfi -i testsrc2=size=96x64:rate=15 -t 3 $bx $x264 -g 10 \
   -pix_fmt yuv420p "$tmp/full.mkv"
size=$(wc -c < "$tmp/full.mkv")
head -c $((size * 6 / 10)) "$tmp/full.mkv" > "$out/truncated.mkv"
ff -f lavfi -i sine=frequency=440:duration=0.5 $bx -c:a aac -b:a 32k "$out/audio.m4a"
src="-f lavfi -i testsrc2=size=48x32:rate=10 -t 0.6"
# (64x48 for HEVC: Debian 12's x265 aborts on 48x32 at 12 bits)
hsrc="-f lavfi -i testsrc2=size=64x48:rate=10 -t 0.6"
x265="-c:v libx265 -x265-params log-level=error:frame-threads=1"
vp9="-c:v libvpx-vp9 -b:v 150k -threads 1"
ff $src $bx $x264 -pix_fmt yuv420p10le "$out/p10.mp4"
ff $src $bx $x264 -pix_fmt yuv420p10le -color_range pc "$out/p10full.mp4"
ff -f lavfi -i mandelbrot=size=70x38:rate=10 -t 0.6 $bx $x264 -pix_fmt yuv420p10le \
   -chroma_sample_location center "$out/p10center.mkv"
ff -f lavfi -i testsrc2=size=48x32:rate=10 -t 0.6 $bx $x264 \
   -flags:v +ildct+ilme+bitexact -pix_fmt yuv420p10le "$out/p10il.mp4"
ff $src $bx $x264 -pix_fmt yuv422p10le "$out/p422p10.mkv"
ff $src $bx $x264 -pix_fmt yuv444p10le "$out/p444p10.mkv"
ff $hsrc $bx $x265 -pix_fmt yuv420p10le -colorspace bt709 -color_primaries bt709 \
   -color_trc bt709 "$out/hevc10.mkv"
ff $hsrc $bx $x265 -pix_fmt yuv420p12le "$out/hevc12.mkv"
ff $hsrc $bx $x265 -pix_fmt yuv422p12le "$out/hevc422p12.mkv"
ff $hsrc $bx $x265 -pix_fmt yuv444p12le -color_range pc "$out/hevc444p12.mkv"
ff -f lavfi -i mandelbrot=size=66x37:rate=10 -t 0.6 $bx $vp9 -pix_fmt yuv420p10le \
   "$out/vp9p10odd.webm"
ff -f lavfi -i mandelbrot=size=65x36:rate=10 -t 0.6 $bx $vp9 -pix_fmt yuv420p10le \
   "$out/vp9p10oddw.webm"
ff -f lavfi -i mandelbrot=size=65x37:rate=10 -t 0.6 $bx $vp9 -pix_fmt yuv420p \
   "$out/vp9oddodd.webm"
ff $src $bx $vp9 -pix_fmt yuv440p "$out/vp9p440.webm"
ff $src $bx $vp9 -pix_fmt yuv440p10le "$out/vp9p440p10.webm"
ls -l "$out"
