#!/usr/bin/env bash
# test_cl_cli.sh CLX TINY_FIXTURE_DIR — the OpenCL side of the command line:
# clx devices [--json], --device resolution with and without an OpenCL
# platform, and clx validate (pass, a perturbed kernel caught and named,
# a device failure, a missing device, bad usage) with its exit codes, and
# clx tune (the file it writes is read by later runs; a damaged one warns;
# nothing to tune when forced; bad usage).
# Needs PoCL; rusticl is used where RUSTICL_ENABLE=llvmpipe is set.
set -u
clx=$1 tiny=$2
. "$(dirname "$0")/lib.sh"

px=$tiny/pixel_values.npy ids=$tiny/input_ids.npy mask=$tiny/attention_mask.npy
inputs=(--model "$tiny" --pixel-values "$px" --input-ids "$ids" --attention-mask "$mask")

# ---- devices
expect 0 "" -- devices
has out "cl:0:0  pthread"
has out "<- --device cl"
has out "max allocation"
expect 0 "" -- devices --json
has out '"id": "cl:0:0"'
has out '"best": "cl:'
has out '"preferred_vector_width": {"char": '
# no OpenCL platform at all: devices says so, cpu still works, cl is a clear error
OCL_ICD_VENDORS=$tmp/none OCL_ICD_FILENAMES= expect 0 "" -- devices
has out "no OpenCL platform found (is an ICD installed? see clinfo)"
OCL_ICD_VENDORS=$tmp/none OCL_ICD_FILENAMES= expect 0 "" -- run "${inputs[@]}" --device cpu --out "$tmp/o"
OCL_ICD_VENDORS=$tmp/none OCL_ICD_FILENAMES= expect 2 "" -- run "${inputs[@]}" --device cl --out "$tmp/o"
has err "no OpenCL platform found (is an ICD installed? see clinfo)"
expect 2 "" -- run "${inputs[@]}" --device nosuchdevice --out "$tmp/o"
has err "--device: device spec 'nosuchdevice': no OpenCL device name contains it; available: cpu, cl:0:0"
expect 2 "" -- run "${inputs[@]}" --device cl:7:0 --out "$tmp/o"
has err "--device: device spec 'cl:7:0': no such OpenCL device"
expect 0 "" -- run "${inputs[@]}" --device cl:0:0 --out "$tmp/o"
has out "on cl:0:0"

# ---- CLX_CHECK_RESULTS=1: every node checked against the CPU while running
CLX_CHECK_RESULTS=1 expect 0 "" -- run "${inputs[@]}" --device pthread --out "$tmp/o"
CLX_CHECK_RESULTS=1 CLX_CACHE_DIR=$tmp/cache CLX_CL_TEST_PREFIX='#define CLX_QUICK_GELU_ALPHA 1.8f' \
  expect 2 "" -- run "${inputs[@]}" --device pthread --out "$tmp/o"
has err "CLX_CHECK_RESULTS: cl:0:0 (pthread"
has err "node 'vision.layers.0.mlp.act' (matmul, own "
has err ") differs from the CPU reference"

# ---- validate
expect 0 "" -- validate "${inputs[@]}" --device pthread --nodes
has out "run 2 vs run 1: identical"
has out " compared, 0 beyond tolerance"
has out "validate: 1 device, 1 passed, 0 failed"
expect 0 "" -- validate "${inputs[@]}"
has out "validate: "
has out "0 failed"
# a kernel perturbed on purpose (quick_gelu's constant): caught and named
CLX_CACHE_DIR=$tmp/cache CLX_CL_TEST_PREFIX='#define CLX_QUICK_GELU_ALPHA 1.8f' \
  expect 1 "" -- validate "${inputs[@]}" --device pthread --nodes
has out "FAIL"
has out "first node beyond tolerance: 'vision.layers.0.mlp.act' (matmul)"
# a device that fails at run time, and one that does not exist
CLX_CL_FAIL=clEnqueueNDRangeKernel:20:CL_OUT_OF_RESOURCES:2 expect 1 "" -- validate "${inputs[@]}" --device pthread
has out "CL_OUT_OF_RESOURCES"
# (one that does not exist is bad usage, as for run: refused before any work)
expect 2 "device spec 'nosuchdevice': no OpenCL device name contains it" -- validate "${inputs[@]}" --device nosuchdevice
# bad usage
expect 2 "" -- validate --model "$tiny"
has err "are required"
expect 2 "" -- validate "${inputs[@]}" --device cpu
has err "the CPU is the reference"
expect 0 "" -- validate --help
expect 2 "" -- validate --model "$tiny" --video x.mp4
has err "--video/--image needs exactly one of --labels and --labels-file"
expect 2 "" -- validate "${inputs[@]}" --video x.mp4 --labels a
has err "not both"

# ---- tune: the file it writes is what later runs read
tf=$tmp/tune.json
CLX_TUNE_FILE=$tf expect 0 "" -- tune --model "$tiny" --device pthread --candidates clblast --budget 120 --quiet
has out "shapes tuned in"
has out "GEMM + attention per forward"
[ -s "$tf" ] && ok || bad "clx tune wrote no tuning file"
grep -q '"schema":	"clx-tune/1"' "$tf" && ok || bad "the tuning file has no schema"
# runs read it silently, and still pass validation with it
CLX_TUNE_FILE=$tf expect 0 "" -- validate "${inputs[@]}" --device pthread --nodes
lacks err "warning"
# a damaged file: one warning, the defaults, the same results
head -c 100 "$tf" > "$tmp/cut.json"
CLX_TUNE_FILE=$tmp/cut.json expect 0 "" -- validate "${inputs[@]}" --device pthread
has err "warning: tuning file $tmp/cut.json ignored"
# nothing to tune when CLX_GEMM and CLX_ROW_KERNELS force every choice
CLX_GEMM=clblast CLX_ROW_KERNELS=off CLX_TUNE_FILE=$tmp/t2.json expect 0 "" -- tune --model "$tiny" --device pthread --quiet
has out "nothing to tune"
# bad usage
expect 2 "" -- tune --device pthread
has err "--model is required"
expect 2 "" -- tune --model "$tiny" --device cpu
has err "nothing to tune"
expect 2 "" -- tune --model "$tiny" --budget 0
has err "--budget needs an integer"
expect 2 "" -- tune --model "$tiny" --candidates ,
has err "--candidates: empty list"
expect 2 "" -- tune --model "$tiny" --device nosuchdevice
has err "--device: device spec 'nosuchdevice'"
CLX_NO_CACHE=1 CLX_TUNE_FILE= expect 2 "" -- tune --model "$tiny" --device pthread --quiet
has err "no place for the tuning file"
expect 0 "" -- tune --help
has out "usage: clx tune"

finish
