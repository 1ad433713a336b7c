#!/bin/sh
# test_asan_outside.sh CLX MODEL_DIR VIDEO DEVICE — a sanitizer build
# (-DCLX_SANITIZE=ON) on OpenCL, run as a user would run it: every
# installed ICD (Mesa Clover included) and no LSAN_OPTIONS or
# OCL_ICD_VENDORS. The drivers' own one-time leaks are suppressed by libclx
# (cl/cl_sanitizer.c); these runs must exit 0 with no LeakSanitizer report:
#   clx devices (every platform probed), clx classify on DEVICE (kernels
#   built and run).
# Then CLX_TEST_LEAK=1 makes clx's device discovery leak 64 bytes from its
# own code (cl_test_leak), and the same `clx devices` must fail with a
# LeakSanitizer report naming that function: the suppressions hide only
# third-party leaks.
. "$(dirname "$0")/lib.sh"
clx=$1 model=$2 video=$3 device=$4
plain() { env -u LSAN_OPTIONS -u OCL_ICD_VENDORS ASAN_OPTIONS=detect_leaks=1 "$@"; }
rc_is() { [ "$1" -eq "$2" ] && ok || bad "$3: exit $1, want $2: $(tail -20 "$tmp/err")"; }

plain "$clx" devices >"$tmp/out" 2>"$tmp/err"
rc_is $? 0 "clx devices with every ICD loaded"
lacks err "LeakSanitizer"
has out "$device"

plain "$clx" classify --model "$model" --video "$video" --labels "a cat,a dog" \
  --device "$device" >"$tmp/out" 2>"$tmp/err"
rc_is $? 0 "clx classify on $device"
lacks err "LeakSanitizer"
has out "a dog"

CLX_TEST_LEAK=1 plain "$clx" devices >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -ne 0 ] && ok || bad "a deliberate clx leak must fail the run (exit $rc)"
has err "ERROR: LeakSanitizer: detected memory leaks"
has err "Direct leak of 64 byte"
has err "in cl_test_leak"
finish
