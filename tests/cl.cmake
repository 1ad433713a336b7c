# The OpenCL backend (cl/) on the two OpenCL implementations CI has without
# a GPU: PoCL (CPU device "pthread-…") and Mesa rusticl on llvmpipe
# (RUSTICL_ENABLE=llvmpipe). Each test takes a device spec and FAILS when
# that device is missing, and checks that kernels ran on it.
if(NOT TARGET clx_cl_kernels)
  return() # built without the OpenCL backend
endif()

set(CLX_CL_DEVICES pocl rusticl)
set(CLX_CL_SPEC_pocl pthread)
set(CLX_CL_ENV_pocl "")
set(CLX_CL_SPEC_rusticl llvmpipe)
set(CLX_CL_ENV_rusticl "RUSTICL_ENABLE=llvmpipe")

# Program binaries go to a cache inside the build tree, not the user's.
set(CLX_CL_TEST_ENV "CLX_CACHE_DIR=${CMAKE_BINARY_DIR}/clx-cache")
# Sanitizer builds need no environment here: libclx itself carries the
# drivers' leak suppressions and keeps their libraries loaded
# (cl/cl_sanitizer.c), and test_asan_outside checks a plain process.

add_executable(test_cl_ops test_cl_ops.c)
target_include_directories(test_cl_ops PRIVATE ${CMAKE_SOURCE_DIR}/tests ${CMAKE_SOURCE_DIR}/runtime)
target_link_libraries(test_cl_ops PRIVATE clx m)

foreach(d ${CLX_CL_DEVICES})
  add_test(NAME test_cl_ops_${d} COMMAND test_cl_ops ${CLX_CL_SPEC_${d}})
  set_tests_properties(test_cl_ops_${d} PROPERTIES LABELS "cl;${d}"
                       ENVIRONMENT "${CLX_CL_ENV_${d}};${CLX_CL_TEST_ENV}")
endforeach()

# The golden fixtures (transformers' outputs) on OpenCL: the tiny fixture on
# both devices, the base-patch32 shapes on PoCL (label "base", as the CPU one).
foreach(d ${CLX_CL_DEVICES})
  add_test(NAME test_cl_golden_tiny_${d}
           COMMAND test_xclip_golden_tiny ${CLX_FIXTURES}/tiny ${CLX_FIXTURES}/tiny
                   ${CLX_FIXTURES}/tiny/pixel_values.npy ${CLX_CL_SPEC_${d}})
  set_tests_properties(test_cl_golden_tiny_${d} PROPERTIES LABELS "cl;${d}"
                       ENVIRONMENT "${CLX_CL_ENV_${d}};${CLX_CL_TEST_ENV}")
endforeach()
# The same with each implementation forced (docs/TUNING.md): CLBlast and the
# work-group kernels; another own tile with the row kernels wherever they fit.
set(CLX_CL_FORCED clblast own4)
set(CLX_CL_FORCED_clblast "CLX_GEMM=clblast;CLX_ROW_KERNELS=off")
set(CLX_CL_FORCED_own4 "CLX_GEMM=own:4x16x4:1;CLX_ROW_KERNELS=on")
foreach(d ${CLX_CL_DEVICES})
  foreach(f ${CLX_CL_FORCED})
    add_test(NAME test_cl_golden_tiny_${d}_${f}
             COMMAND test_xclip_golden_tiny ${CLX_FIXTURES}/tiny ${CLX_FIXTURES}/tiny
                     ${CLX_FIXTURES}/tiny/pixel_values.npy ${CLX_CL_SPEC_${d}})
    set_tests_properties(test_cl_golden_tiny_${d}_${f} PROPERTIES LABELS "cl;${d}"
                         ENVIRONMENT "${CLX_CL_ENV_${d}};${CLX_CL_TEST_ENV};${CLX_CL_FORCED_${f}}")
  endforeach()
endforeach()
# CLIPModel's fixtures: tiny and gelu on both devices (also with CLBlast
# forced: the logits product of two activations), base on PoCL.
foreach(d ${CLX_CL_DEVICES})
  foreach(c tiny gelu)
    foreach(f default clblast)
      set(name test_cl_clip_golden_${c}_${d})
      set(env "${CLX_CL_ENV_${d}};${CLX_CL_TEST_ENV}")
      if(NOT f STREQUAL "default")
        set(name ${name}_${f})
        list(APPEND env ${CLX_CL_FORCED_${f}})
      endif()
      add_test(NAME ${name}
               COMMAND test_clip_golden_${c} ${CLX_FIXTURES}/clip/${c} ${CLX_FIXTURES}/clip/${c}
                       ${CLX_FIXTURES}/clip/${c}/pixel_values.npy ${CLX_CL_SPEC_${d}})
      set_tests_properties(${name} PROPERTIES LABELS "cl;${d}" ENVIRONMENT "${env}")
    endforeach()
  endforeach()
endforeach()
add_test(NAME test_cl_clip_golden_base_pocl
         COMMAND test_clip_golden_base ${CLX_FIXTURES}/clip/base ${CMAKE_BINARY_DIR}/clip_base_model
                 ${CMAKE_BINARY_DIR}/clip_base_model/pixel_values.npy ${CLX_CL_SPEC_pocl})
set_tests_properties(test_cl_clip_golden_base_pocl PROPERTIES LABELS "cl;pocl;base"
                     FIXTURES_REQUIRED clip_base_model ENVIRONMENT "${CLX_CL_TEST_ENV}")

# (test_xclip_golden_base, its model directory and the base_model fixture
# come from xclip.cmake; target names in add_test resolve at generate time.)
foreach(f default ${CLX_CL_FORCED})
  set(name test_cl_golden_base_pocl)
  set(env "${CLX_CL_TEST_ENV}")
  if(NOT f STREQUAL "default")
    set(name test_cl_golden_base_pocl_${f})
    list(APPEND env ${CLX_CL_FORCED_${f}})
  endif()
  add_test(NAME ${name}
           COMMAND test_xclip_golden_base ${CLX_FIXTURES}/base ${CMAKE_BINARY_DIR}/base_model
                   ${CMAKE_BINARY_DIR}/base_model/pixel_values.npy ${CLX_CL_SPEC_pocl})
  set_tests_properties(${name} PROPERTIES LABELS "cl;pocl;base"
                       FIXTURES_REQUIRED base_model ENVIRONMENT "${env}")
endforeach()

# Placements, fallback, fp16 weights and split buffers (docs/PLACEMENT.md),
# each against the transformers goldens: clx_cl_golden(NAME EXE FIXTURE
# MODEL SPEC LABELS ENV [property value ...]) runs EXE FIXTURE MODEL
# MODEL/pixel_values.npy SPEC. Label "matrix": a combination whose code
# another test also runs under the sanitizers (test-all.sh's ASan stage
# leaves these out for time).
function(clx_cl_golden name exe fixture model spec labels env)
  add_test(NAME ${name} COMMAND ${exe} ${fixture} ${model} ${model}/pixel_values.npy ${spec})
  set_tests_properties(${name} PROPERTIES LABELS "${labels}" ENVIRONMENT "${env}" ${ARGN})
endfunction()
set(CLX_TINY ${CLX_FIXTURES}/tiny)
set(CLX_BASE_MODEL_DIR ${CMAKE_BINARY_DIR}/base_model)
set(CLX_CLIP_BASE_MODEL_DIR ${CMAKE_BINARY_DIR}/clip_base_model)
set(CLX_BOTH_ENV "RUSTICL_ENABLE=llvmpipe;${CLX_CL_TEST_ENV}")

# The towers on two devices at once: tiny on every pair (PoCL + rusticl,
# PoCL + the CPU reference, both ways), CLIP's tiny on PoCL + rusticl, the
# base shapes on PoCL + CPU.
set(CLX_PLACE_pocl_rusticl "vision=pthread,text=llvmpipe")
set(CLX_PLACE_rusticl_pocl "vision=llvmpipe,text=pthread,prompt=pthread")
set(CLX_PLACE_pocl_cpu "vision=pthread,text=cpu")
set(CLX_PLACE_cpu_pocl "vision=cpu,text=pthread")
foreach(p pocl_rusticl rusticl_pocl pocl_cpu cpu_pocl)
  set(labels "cl;pocl;rusticl;matrix")
  if(p STREQUAL "pocl_cpu")
    set(labels "cl;pocl")
  endif()
  clx_cl_golden(test_cl_place_tiny_${p} test_xclip_golden_tiny ${CLX_TINY} ${CLX_TINY}
                ${CLX_PLACE_${p}} "${labels}" "${CLX_BOTH_ENV}")
endforeach()
clx_cl_golden(test_cl_place_clip_tiny_pocl_rusticl test_clip_golden_tiny ${CLX_FIXTURES}/clip/tiny
              ${CLX_FIXTURES}/clip/tiny ${CLX_PLACE_pocl_rusticl} "cl;pocl;rusticl;matrix" "${CLX_BOTH_ENV}")
clx_cl_golden(test_cl_place_base_pocl_cpu test_xclip_golden_base ${CLX_FIXTURES}/base ${CLX_BASE_MODEL_DIR}
              ${CLX_PLACE_pocl_cpu} "cl;pocl;base" "${CLX_CL_TEST_ENV}" FIXTURES_REQUIRED base_model)

# Per-node fallback: the OpenCL backend declines ops (CLX_CL_DECLINE, its
# test hook) and exactly those run on the CPU reference, with the copies in
# and out; also inside a placement.
clx_cl_golden(test_cl_fallback_tiny_pocl test_xclip_golden_tiny ${CLX_TINY} ${CLX_TINY} ${CLX_CL_SPEC_pocl}
              "cl;pocl" "${CLX_CL_TEST_ENV};CLX_CL_DECLINE=attention,layer_norm")
clx_cl_golden(test_cl_fallback_tiny_rusticl test_xclip_golden_tiny ${CLX_TINY} ${CLX_TINY}
              ${CLX_CL_SPEC_rusticl} "cl;rusticl;matrix"
              "${CLX_BOTH_ENV};CLX_CL_DECLINE=attention,layer_norm")
clx_cl_golden(test_cl_fallback_clip_gelu_pocl test_clip_golden_gelu ${CLX_FIXTURES}/clip/gelu
              ${CLX_FIXTURES}/clip/gelu ${CLX_CL_SPEC_pocl} "cl;pocl;matrix"
              "${CLX_CL_TEST_ENV};CLX_CL_DECLINE=gelu")
clx_cl_golden(test_cl_fallback_place_tiny test_xclip_golden_tiny ${CLX_TINY} ${CLX_TINY}
              ${CLX_PLACE_pocl_rusticl} "cl;pocl;rusticl;matrix" "${CLX_BOTH_ENV};CLX_CL_DECLINE=concat")
# A kernel file the device's compiler rejects (CLX_CL_REJECT ends it with an
# #error, a real build failure): the device opens with the other files, and
# the ops needing the rejected kernels fall back, for that reason.
clx_cl_golden(test_cl_reject_tiny_pocl test_xclip_golden_tiny ${CLX_TINY} ${CLX_TINY} ${CLX_CL_SPEC_pocl}
              "cl;pocl" "${CLX_CL_TEST_ENV};CLX_CL_REJECT=attention.cl,layer_norm.cl;CLX_TEST_REJECTED_OPS=attention,layer_norm")
clx_cl_golden(test_cl_reject_tiny_rusticl test_xclip_golden_tiny ${CLX_TINY} ${CLX_TINY}
              ${CLX_CL_SPEC_rusticl} "cl;rusticl;matrix"
              "${CLX_BOTH_ENV};CLX_CL_REJECT=reduce.cl;CLX_TEST_REJECTED_OPS=mean,l2_normalize")
# gemm.cl rejected: every own GEMM variant fails to build, so the matmuls
# run CLBlast on the same device (an @f16 device cannot: test_cl_placement).
clx_cl_golden(test_cl_reject_gemm_tiny_pocl test_xclip_golden_tiny ${CLX_TINY} ${CLX_TINY} ${CLX_CL_SPEC_pocl}
              "cl;pocl;matrix" "${CLX_CL_TEST_ENV};CLX_CL_REJECT=gemm.cl;CLX_TEST_REJECTED_OPS=")
clx_cl_golden(test_cl_fallback_base_pocl test_xclip_golden_base ${CLX_FIXTURES}/base ${CLX_BASE_MODEL_DIR}
              ${CLX_CL_SPEC_pocl} "cl;pocl;base" "${CLX_CL_TEST_ENV};CLX_CL_DECLINE=attention"
              FIXTURES_REQUIRED base_model)

# fp16 weight storage (SPEC@f16) under its own tolerances (clx/check.h:
# logits 1e-2, embeddings 0.99999, NMSE 1e-5, the argmax unchanged): tiny
# on both devices, CLIP's tiny and gelu and both base shapes on PoCL, and
# in a placement.
clx_cl_golden(test_cl_f16_tiny_pocl test_xclip_golden_tiny ${CLX_TINY} ${CLX_TINY} ${CLX_CL_SPEC_pocl}@f16
              "cl;pocl" "${CLX_CL_TEST_ENV}")
clx_cl_golden(test_cl_f16_tiny_rusticl test_xclip_golden_tiny ${CLX_TINY} ${CLX_TINY}
              ${CLX_CL_SPEC_rusticl}@f16 "cl;rusticl;matrix" "${CLX_BOTH_ENV}")
foreach(c tiny gelu)
  clx_cl_golden(test_cl_f16_clip_${c}_pocl test_clip_golden_${c} ${CLX_FIXTURES}/clip/${c}
                ${CLX_FIXTURES}/clip/${c} ${CLX_CL_SPEC_pocl}@f16 "cl;pocl;matrix" "${CLX_CL_TEST_ENV}")
endforeach()
clx_cl_golden(test_cl_f16_base_pocl test_xclip_golden_base ${CLX_FIXTURES}/base ${CLX_BASE_MODEL_DIR}
              ${CLX_CL_SPEC_pocl}@f16 "cl;pocl;base" "${CLX_CL_TEST_ENV}" FIXTURES_REQUIRED base_model)
clx_cl_golden(test_cl_f16_clip_base_pocl test_clip_golden_base ${CLX_FIXTURES}/clip/base
              ${CLX_CLIP_BASE_MODEL_DIR} ${CLX_CL_SPEC_pocl}@f16 "cl;pocl;base" "${CLX_CL_TEST_ENV}"
              FIXTURES_REQUIRED clip_base_model)
clx_cl_golden(test_cl_f16_place_tiny test_xclip_golden_tiny ${CLX_TINY} ${CLX_TINY}
              vision=pthread@f16,text=cpu "cl;pocl;matrix" "${CLX_CL_TEST_ENV}")
# f16 arithmetic (SPEC@f16-math): neither PoCL nor rusticl has cl_khr_fp16,
# so the half products are emulated exactly (CLX_CL_FP16_EMULATE); the
# check on first use passes, the f16 tolerances hold.
foreach(d pocl rusticl)
  clx_cl_golden(test_cl_f16math_tiny_${d} test_xclip_golden_tiny ${CLX_TINY} ${CLX_TINY}
                ${CLX_CL_SPEC_${d}}@f16-math "cl;${d};matrix"
                "RUSTICL_ENABLE=llvmpipe;${CLX_CL_TEST_ENV};CLX_CL_FP16_EMULATE=1")
endforeach()
clx_cl_golden(test_cl_f16math_base_pocl test_xclip_golden_base ${CLX_FIXTURES}/base ${CLX_BASE_MODEL_DIR}
              ${CLX_CL_SPEC_pocl}@f16-math "cl;pocl;base" "${CLX_CL_TEST_ENV};CLX_CL_FP16_EMULATE=1"
              FIXTURES_REQUIRED base_model)
# An F16 checkpoint (tests/fixtures/tiny_f16): an @f16 device holds the
# file's own half values, uploaded as they are, so the f32 tolerances hold
# (test_xclip_golden checks every half weight came from the file).
set(CLX_TINY_F16 ${CLX_FIXTURES}/tiny_f16)
clx_cl_golden(test_cl_f16_file_tiny_pocl test_xclip_golden_tiny ${CLX_TINY_F16} ${CLX_TINY_F16}
              ${CLX_CL_SPEC_pocl}@f16 "cl;pocl" "${CLX_CL_TEST_ENV}")
clx_cl_golden(test_cl_f16_file_tiny_rusticl test_xclip_golden_tiny ${CLX_TINY_F16} ${CLX_TINY_F16}
              ${CLX_CL_SPEC_rusticl}@f16 "cl;rusticl;matrix" "${CLX_BOTH_ENV}")
clx_cl_golden(test_cl_f16_file_tiny_f32_pocl test_xclip_golden_tiny ${CLX_TINY_F16} ${CLX_TINY_F16}
              ${CLX_CL_SPEC_pocl} "cl;pocl;matrix" "${CLX_CL_TEST_ENV}")

# Split buffers: a device whose largest buffer is forced small
# (CLX_CL_MAX_ALLOC, the backend's test hook) holds big weights in parts
# (GEMM panels, table rows) and the arena in several buffers, and gives
# tensors it still cannot hold to the CPU reference. tiny at 32 KiB:
# weights in parts, activations whose outer slices fit in parts, those
# whose slices do not (the MLP's) fall back; base at 2 MiB: 164 weights
# and 13 activations in parts, only patchify falls back; base at 8 MiB: every
# weight over it in parts (the 101 MB token table in 13), the arena in
# several buffers, nothing falls back.
clx_cl_golden(test_cl_split_tiny_pocl test_xclip_golden_tiny ${CLX_TINY} ${CLX_TINY} ${CLX_CL_SPEC_pocl}
              "cl;pocl" "${CLX_CL_TEST_ENV};CLX_CL_MAX_ALLOC=32768")
# tiny at 64 KiB: the activations over it held in parts (whole outer slices,
# an image's or a prompt's rows), the nodes over them run a window at a time:
# only patchify (a video's pixels are one slice) and the prompts' mean over
# frames fall back.
foreach(d pocl rusticl)
  clx_cl_golden(test_cl_split_act_tiny_${d} test_xclip_golden_tiny ${CLX_TINY} ${CLX_TINY}
                ${CLX_CL_SPEC_${d}} "cl;${d};matrix"
                "RUSTICL_ENABLE=llvmpipe;${CLX_CL_TEST_ENV};CLX_CL_MAX_ALLOC=65536")
endforeach()
clx_cl_golden(test_cl_split_tiny_rusticl test_xclip_golden_tiny ${CLX_TINY} ${CLX_TINY}
              ${CLX_CL_SPEC_rusticl} "cl;rusticl;matrix" "${CLX_BOTH_ENV};CLX_CL_MAX_ALLOC=32768")
clx_cl_golden(test_cl_split_base_pocl test_xclip_golden_base ${CLX_FIXTURES}/base ${CLX_BASE_MODEL_DIR}
              ${CLX_CL_SPEC_pocl} "cl;pocl;base" "${CLX_CL_TEST_ENV};CLX_CL_MAX_ALLOC=8388608"
              FIXTURES_REQUIRED base_model)
clx_cl_golden(test_cl_split_act_base_pocl test_xclip_golden_base ${CLX_FIXTURES}/base ${CLX_BASE_MODEL_DIR}
              ${CLX_CL_SPEC_pocl} "cl;pocl;base;matrix" "${CLX_CL_TEST_ENV};CLX_CL_MAX_ALLOC=2097152"
              FIXTURES_REQUIRED base_model)
clx_cl_golden(test_cl_split_clip_base_pocl_f16 test_clip_golden_base ${CLX_FIXTURES}/clip/base
              ${CLX_CLIP_BASE_MODEL_DIR} ${CLX_CL_SPEC_pocl}@f16 "cl;pocl;base"
              "${CLX_CL_TEST_ENV};CLX_CL_MAX_ALLOC=8388608" FIXTURES_REQUIRED clip_base_model)

# Failure injection through the cl* wrapper (PoCL: the fast one).
add_executable(test_cl_faults test_cl_faults.c)
target_include_directories(test_cl_faults PRIVATE ${CMAKE_SOURCE_DIR}/tests ${CMAKE_SOURCE_DIR}/runtime)
target_link_libraries(test_cl_faults PRIVATE clx m)
find_package(OpenCL QUIET)
if(OpenCL_INCLUDE_DIRS)
  target_include_directories(test_cl_faults PRIVATE ${OpenCL_INCLUDE_DIRS}) # CL_* codes
endif()
add_test(NAME test_cl_faults_pocl COMMAND test_cl_faults ${CLX_CL_SPEC_pocl} ${CLX_FIXTURES}/tiny)
set_tests_properties(test_cl_faults_pocl PROPERTIES LABELS "cl;pocl" ENVIRONMENT "${CLX_CL_TEST_ENV}")

# clx devices / --device / clx validate end to end (exit codes, messages).
add_test(NAME test_cl_cli COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_cl_cli.sh $<TARGET_FILE:clx_cli>
                                  ${CLX_FIXTURES}/tiny)
set_tests_properties(test_cl_cli PROPERTIES LABELS "cl;pocl" ENVIRONMENT "${CLX_CL_TEST_ENV}")

# Placements and fallback on the command line (bad placements exit 2).
add_test(NAME test_cl_placement COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_cl_placement.sh
                                        $<TARGET_FILE:clx_cli> ${CLX_FIXTURES}/tiny)
set_tests_properties(test_cl_placement PROPERTIES LABELS "cl;pocl;rusticl" ENVIRONMENT "${CLX_CL_TEST_ENV}")

# clx validate's video form (decode + preprocess + tokenise as clx classify)
# on the clip_tiny model that classify.cmake assembles.
add_test(NAME test_cl_validate_video
         COMMAND clx_cli validate --model ${CMAKE_BINARY_DIR}/clip_tiny_model
                 --video ${CLX_FIXTURES}/video/h264.mp4 --labels "a cat,a dog playing,cooking"
                 --device ${CLX_CL_SPEC_pocl} --nodes)
set_tests_properties(test_cl_validate_video PROPERTIES LABELS "cl;pocl" FIXTURES_REQUIRED clip_tiny
                     ENVIRONMENT "${CLX_CL_TEST_ENV}"
                     PASS_REGULAR_EXPRESSION "validate: 1 device, 1 passed, 0 failed")
# The image form on a CLIP model (decode + CLIPProcessor + tokenise).
add_test(NAME test_cl_validate_image
         COMMAND clx_cli validate --model ${CMAKE_BINARY_DIR}/clip_image_model
                 --image ${CLX_FIXTURES}/images/good/jpeg_420.jpg --labels "a cat,a dog playing,cooking"
                 --device ${CLX_CL_SPEC_pocl} --nodes)
set_tests_properties(test_cl_validate_image PROPERTIES LABELS "cl;pocl" FIXTURES_REQUIRED clip_image
                     ENVIRONMENT "${CLX_CL_TEST_ENV}"
                     PASS_REGULAR_EXPRESSION "validate: 1 device, 1 passed, 0 failed")
# clx validate --nodes with each implementation forced, on both devices.
foreach(d ${CLX_CL_DEVICES})
  foreach(f ${CLX_CL_FORCED})
    add_test(NAME test_cl_validate_nodes_${d}_${f}
             COMMAND clx_cli validate --model ${CLX_FIXTURES}/tiny
                     --pixel-values ${CLX_FIXTURES}/tiny/pixel_values.npy
                     --input-ids ${CLX_FIXTURES}/tiny/input_ids.npy
                     --attention-mask ${CLX_FIXTURES}/tiny/attention_mask.npy
                     --device ${CLX_CL_SPEC_${d}} --nodes)
    set_tests_properties(test_cl_validate_nodes_${d}_${f} PROPERTIES LABELS "cl;${d}"
                         ENVIRONMENT "${CLX_CL_ENV_${d}};${CLX_CL_TEST_ENV};${CLX_CL_FORCED_${f}}"
                         PASS_REGULAR_EXPRESSION "validate: 1 device, 1 passed, 0 failed")
  endforeach()
endforeach()

# The on-disk program binary cache: hits, silent rebuilds of damaged or
# foreign entries, CLX_NO_CACHE, the directory fallbacks.
add_executable(test_cl_cache test_cl_cache.c)
target_include_directories(test_cl_cache PRIVATE ${CMAKE_SOURCE_DIR}/tests ${CMAKE_SOURCE_DIR}/runtime)
target_link_libraries(test_cl_cache PRIVATE clx m)
foreach(d ${CLX_CL_DEVICES})
  add_test(NAME test_cl_cache_${d} COMMAND test_cl_cache ${CLX_CL_SPEC_${d}}
                                          ${CMAKE_CURRENT_BINARY_DIR}/cl_cache_scratch)
  set_tests_properties(test_cl_cache_${d} PROPERTIES LABELS "cl;${d}"
                       ENVIRONMENT "${CLX_CL_ENV_${d}};${CLX_CL_TEST_ENV}")
endforeach()

# clx tune's tuner and the tuning file: admission, the choice applied, bad
# files and entries, a broken candidate (docs/TUNING.md).
add_executable(test_tune test_tune.c)
target_include_directories(test_tune PRIVATE ${CMAKE_SOURCE_DIR}/tests)
target_link_libraries(test_tune PRIVATE clx m)
foreach(d ${CLX_CL_DEVICES})
  add_test(NAME test_tune_${d} COMMAND test_tune ${CLX_CL_SPEC_${d}}
                                      ${CMAKE_CURRENT_BINARY_DIR}/tune_scratch_${d})
  set_tests_properties(test_tune_${d} PROPERTIES LABELS "cl;${d};bad-input"
                       ENVIRONMENT "${CLX_CL_ENV_${d}};${CLX_CL_TEST_ENV}")
endforeach()

# Sanitizer builds: OpenCL runs as a user runs them (every installed ICD, no
# LSAN_OPTIONS) exit 0, and a deliberate clx leak (CLX_TEST_LEAK=1) still
# fails the run.
if(CLX_SANITIZE)
  add_test(NAME test_asan_outside
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_asan_outside.sh $<TARGET_FILE:clx_cli>
                   ${CMAKE_BINARY_DIR}/clip_tiny_model ${CLX_FIXTURES}/video/h264.mp4
                   ${CLX_CL_SPEC_pocl})
  set_tests_properties(test_asan_outside PROPERTIES LABELS "cl;pocl" FIXTURES_REQUIRED clip_tiny)
endif()
