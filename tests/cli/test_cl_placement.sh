#!/usr/bin/env bash
# test_cl_placement.sh CLX TINY_FIXTURE_DIR — --device placements on the
# command line: bad placements (an unknown tower, a tower placed twice, a
# missing device, no device, an unavailable one) exit 2 with one line; a
# split placement and a forced fallback run, validate against the CPU
# reference node by node and say where every node ran; auto picks one
# device here (PoCL and rusticl are both CPU devices). Needs PoCL and
# rusticl (RUSTICL_ENABLE=llvmpipe).
set -u
clx=$1 tiny=$2
. "$(dirname "$0")/lib.sh"
export RUSTICL_ENABLE=llvmpipe

px=$tiny/pixel_values.npy ids=$tiny/input_ids.npy mask=$tiny/attention_mask.npy
inputs=(--model "$tiny" --pixel-values "$px" --input-ids "$ids" --attention-mask "$mask")

# ---- the syntax, explained where devices are listed
expect 0 "" -- devices --help
has out "vision=SPEC,text=SPEC[,prompt=SPEC]"
has out "SPEC@f16"

# ---- bad placements
expect 2 "unknown part 'audio' (parts: vision, text, prompt)" -- run "${inputs[@]}" --device vision=cpu,audio=cpu --out "$tmp/o"
expect 2 "'vision' is placed twice" -- run "${inputs[@]}" --device vision=cpu,vision=pthread,text=cpu --out "$tmp/o"
expect 2 "needs both vision= and text=" -- run "${inputs[@]}" --device vision=pthread --out "$tmp/o"
expect 2 "'text' is not PART=DEVICE" -- run "${inputs[@]}" --device vision=cpu,text --out "$tmp/o"
expect 2 "'vision' needs a device" -- run "${inputs[@]}" --device vision=,text=cpu --out "$tmp/o"
expect 2 "text=cl:7:0: device spec 'cl:7:0': no such OpenCL device" -- run "${inputs[@]}" --device vision=cpu,text=cl:7:0 --out "$tmp/o"
expect 2 "vision=nosuchgpu: device spec 'nosuchgpu': no OpenCL device name contains it" -- validate "${inputs[@]}" --device vision=nosuchgpu,text=cpu
expect 2 "an empty item" -- run "${inputs[@]}" --device vision=cpu,text=cpu, --out "$tmp/o"
expect 2 "an empty item" -- run "${inputs[@]}" --device vision=cpu,,text=cpu --out "$tmp/o"
expect 2 "'vision' needs a device" -- run "${inputs[@]}" --device vision=@f16,text=cpu --out "$tmp/o"
expect 2 "is too long (at most 63 characters)" -- run "${inputs[@]}" --device "vision=$(printf 'x%.0s' {1..70}),text=cpu" --out "$tmp/o"
expect 2 "contains a blank" -- run "${inputs[@]}" --device "vision=cpu, text=cpu" --out "$tmp/o"
expect 2 "an empty device spec" -- run "${inputs[@]}" --device "" --out "$tmp/o"
expect 2 "names several devices" -- run "${inputs[@]}" --device cpu,pthread --out "$tmp/o"
expect 2 "the CPU reference keeps f32 weights" -- run "${inputs[@]}" --device vision=cpu@f16,text=pthread --out "$tmp/o"
[ ! -e "$tmp/o" ] && ok || bad "a refused placement wrote $tmp/o"
# validate: a bad spec is bad usage, checked before any work; a placement
# all on the CPU reference would compare the reference with itself
expect 2 "unknown precision 'bogus'" -- validate "${inputs[@]}" --device pthread@bogus
expect 2 "no OpenCL device name contains it" -- validate "${inputs[@]}" --device nosuchgpu
expect 2 "runs on the CPU, and the CPU is the reference" -- validate "${inputs[@]}" --device vision=cpu,text=cpu
expect 2 "runs on the CPU, and the CPU is the reference" -- validate "${inputs[@]}" --device CPU
# keywords and ids in any case; auto takes --precision
expect 0 "" -- run "${inputs[@]}" --device CL:0:0 --out "$tmp/upper"
has out "on cl:0:0:"
expect 0 "" -- run "${inputs[@]}" --device auto --precision f16 --out "$tmp/auto16"
has out "on cl:0:0@f16:"

# ---- a split placement: the same logits as the CPU reference, node by node
expect 0 "" -- run "${inputs[@]}" --device cpu --out "$tmp/ref"
expect 0 "" -- run "${inputs[@]}" --device vision=pthread,text=llvmpipe --out "$tmp/split" --json
has out '"device": "vision=cl:0:0,text=cl:1:0"'
expect 0 "" -- validate "${inputs[@]}" --device vision=pthread,text=llvmpipe --nodes
has out "placement: cl:0:0 87 nodes, cl:1:0 26 nodes; 2 cross-device copies"
has out "0 fallbacks"
has out " compared, 0 beyond tolerance"
has out "validate: 1 device, 1 passed, 0 failed"
expect 0 "" -- validate "${inputs[@]}" --device vision=cpu,text=pthread,prompt=llvmpipe --nodes
has out "placement: cpu "
has out "validate: 1 device, 1 passed, 0 failed"

# ---- fallback: declined ops run on the CPU reference, named with the reason
CLX_CL_DECLINE=attention expect 0 "" -- validate "${inputs[@]}" --device pthread --nodes
has out "'vision.layers.0.self_attn' (attention) on cpu, fallback: cl:0:0 declined: attention declined by CLX_CL_DECLINE"
has out " compared, 0 beyond tolerance"
has out "validate: 1 device, 1 passed, 0 failed"
CLX_CL_DECLINE=concat expect 0 "" -- validate "${inputs[@]}" --device vision=pthread,text=llvmpipe --nodes
has out "on cpu, fallback: cl:0:0 declined: concat declined by CLX_CL_DECLINE"
has out "validate: 1 device, 1 passed, 0 failed"
# a kernel file the compiler rejects (made to, by CLX_CL_REJECT): a warning
# names it, and the ops needing its kernels run on the CPU reference
CLX_CL_REJECT=layer_norm.cl expect 0 "" -- validate "${inputs[@]}" --device pthread --nodes
has err "the OpenCL compiler rejected layer_norm.cl"
has out "(layer_norm) on cpu, fallback: cl:0:0 declined: kernel layer_norm not built: the compiler rejected layer_norm.cl"
has out "validate: 1 device, 1 passed, 0 failed"
# gemm.cl rejected: an f32 device runs CLBlast instead (test_cl_reject_gemm_*);
# on an @f16 device only the own kernels read half weights, so those
# matmuls fall back, with the compiler's reason
CLX_CL_REJECT=gemm.cl expect 0 "" -- validate "${inputs[@]}" --device pthread@f16 --nodes
has err "the OpenCL compiler rejected GEMM variant"
has out "(matmul) on cpu, fallback: cl:0:0@f16 declined: GEMM variant own:"
has out "not built: the compiler rejected gemm.cl (error"
has out "validate: 1 device, 1 passed, 0 failed"
# a chosen tile the compiler rejects (here MR 5, forced) where the default
# builds: the half-weight matmuls run the default tile, the others CLBlast
CLX_GEMM=own:5x16x8 CLX_CL_TEST_PREFIX=$'#if defined(CLX_GEMM_MR) && CLX_GEMM_MR == 5\n#error "MR 5 rejected"\n#endif' \
  expect 0 "" -- validate "${inputs[@]}" --device pthread@f16 --nodes
has err "rejected GEMM variant own:5x16x8"
has err "the matmuls it was chosen for run own:"
has out "validate: 1 device, 1 passed, 0 failed"

# ---- f16 arithmetic: refused without cl_khr_fp16; emulated (a test hook),
# products perturbed by 1 %: its check on first use refuses them, and the
# verdict is cached
expect 2 "needs cl_khr_fp16, which this device lacks" -- run "${inputs[@]}" --device pthread@f16-math --out "$tmp/o"
CLX_CACHE_DIR=$tmp/c16 CLX_CL_FP16_EMULATE=1 CLX_CL_TEST_PREFIX="#define CLX_HMATH_SCALE 1.01f" \
  expect 0 "" -- validate "${inputs[@]}" --device pthread --precision f16-math
has err "f16 math refused by its check on this device (fail: GEMM K=1024 NMSE"
lacks out "GEMM products in f16"
has out "validate: 1 device, 1 passed, 0 failed"
CLX_CACHE_DIR=$tmp/c16 CLX_CL_FP16_EMULATE=1 CLX_CL_TEST_PREFIX="#define CLX_HMATH_SCALE 1.01f" \
  expect 0 "" -- run "${inputs[@]}" --device pthread@f16-math --out "$tmp/m16"
has err "(cached)"
CLX_CACHE_DIR=$tmp/c16 CLX_CL_FP16_EMULATE=1 expect 0 "" -- validate "${inputs[@]}" --device pthread@f16-math
has out "GEMM products in f16"
has out "validate: 1 device, 1 passed, 0 failed"

# ---- clx-profile: one timeline per device in the trace, and the overlap
profile=$(dirname "$clx")/clx-profile
clx_save=$clx clx=$profile
# bad entries are refused before any work, one line
expect 2 "needs both vision= and text=" -- --model "$tiny" --device cl:0:0,text=cpu --runs 1 --no-peak --quiet
expect 2 "vision=bogus: device spec 'bogus': no OpenCL device name contains it" -- --model "$tiny" --device vision=bogus,text=cpu --runs 1 --no-peak --quiet
expect 2 "the CPU reference keeps f32 weights" -- --model "$tiny" --device cpu@f16 --runs 1 --no-peak --quiet
expect 2 "an empty item" -- --model "$tiny" --device cl:0:0,, --runs 1 --no-peak --quiet
expect 0 "" -- --model "$tiny" --device vision=pthread,text=cpu --runs 2 --no-peak --quiet \
  --json "$tmp/p.json" --trace "$tmp/t.json"
clx=$clx_save
grep -qF '"tracks":	["cl:0:0", "cpu"]' "$tmp/p.json" && ok || bad "profile JSON lacks the two tracks"
grep -qE '"overlap_s":	[0-9.e-]+' "$tmp/p.json" && ok || bad "profile JSON lacks a measured overlap_s"
grep -qF '"node_timing":	"host-sync per device"' "$tmp/p.json" && ok || bad "profile JSON: node timing"
grep -qF '"device cl:0:0: its nodes of the profiled run"' "$tmp/t.json" && ok || bad "trace lacks the cl:0:0 track"
grep -qF '"device cpu: its nodes of the profiled run"' "$tmp/t.json" && ok || bad "trace lacks the cpu track"
[ "$(grep -o '"tid":11,' "$tmp/t.json" | wc -l)" -gt 1 ] && ok || bad "no node events on the second device's track"

# ---- fp16 weight storage: its own rules in validate, half the weight memory
expect 2 "--precision f16: the CPU reference keeps f32 weights" -- run "${inputs[@]}" --precision f16 --out "$tmp/o"
expect 2 "--precision f8: f32 (default), f16 or f16-math" -- run "${inputs[@]}" --device pthread --precision f8 --out "$tmp/o"
expect 2 "--precision f8: f32 (default), f16 or f16-math" -- validate "${inputs[@]}" --precision f8
expect 2 "device spec 'cpu@f16': the CPU reference keeps f32 weights" -- run "${inputs[@]}" --device cpu@f16 --out "$tmp/o"
expect 2 "unknown precision 'f8' (@f16, @f16-math or @f32)" -- run "${inputs[@]}" --device vision=pthread@f8,text=cpu --out "$tmp/o"
expect 0 "" -- validate "${inputs[@]}" --device pthread --precision f16 --nodes
has out "device cl:0:0@f16"
has out "weights stored as f16: logits max|diff| <= 1e-02, the argmax unchanged, nodes nmse <= 1e-05"
has out "validate: 1 device, 1 passed, 0 failed"
expect 0 "" -- run "${inputs[@]}" --device vision=pthread,text=llvmpipe --precision f16 --out "$tmp/o" --json
has out '"device": "vision=cl:0:0@f16,text=cl:1:0@f16"'
clx=$profile
expect 0 "" -- --model "$tiny" --device pthread,pthread@f16 --runs 1 --no-peak --quiet --json "$tmp/p16.json"
clx=$clx_save
w=$(grep -o '"weights_bytes":	[0-9]*' "$tmp/p16.json" | awk '{print $2}' | tr '\n' ' ')
set -- $w
[ "$#" -eq 2 ] && [ $(( $2 * 100 / $1 )) -le 60 ] && ok || bad "f16 weights not about half of f32: $w"
echo "device weights f32 / f16 (bytes): $w"

# ---- auto: two CPU devices are not split
expect 0 "" -- run "${inputs[@]}" --device auto --out "$tmp/auto" --json
has out '"device": "cl:0:0"'

finish
