# clx classify's pipeline end to end against transformers (PyAV +
# XCLIPProcessor + XCLIPModel; tools/dev/gen_classify_golden.py). The model —
# real CLIP vocab, tiny towers — is assembled at test time: weights from
# clx-synth (seed 3, as tests/fixtures/clip_tiny/cases.json says), tokenizer
# files from tests/fixtures/clip_tokenizer, the processor config.
# A model folder from fixture NAME (config.json + preprocessor_config.json):
# weights by clx-synth with SEED, the tokenizer files; the ctest fixture NAME
# sets it up in ${CMAKE_BINARY_DIR}/NAME_model.
function(clx_assembled_model name seed)
  set(dir ${CMAKE_BINARY_DIR}/${name}_model)
  add_test(NAME ${name}_model_synth
           COMMAND clx_synth --config ${CLX_FIXTURES}/${name}/config.json --seed ${seed} --out ${dir})
  add_test(NAME ${name}_model_files
           COMMAND ${CMAKE_COMMAND} -E copy ${CLX_FIXTURES}/clip_tokenizer/vocab.json
                   ${CLX_FIXTURES}/clip_tokenizer/merges.txt
                   ${CLX_FIXTURES}/${name}/preprocessor_config.json ${dir}/)
  set_tests_properties(${name}_model_synth PROPERTIES FIXTURES_SETUP ${name})
  set_tests_properties(${name}_model_files PROPERTIES FIXTURES_SETUP ${name} DEPENDS ${name}_model_synth)
endfunction()
set(CLX_CLIP_TINY ${CMAKE_BINARY_DIR}/clip_tiny_model)
clx_assembled_model(clip_tiny 3)

clx_test(test_classify ARGS ${CLX_CLIP_TINY} ${CLX_FIXTURES}/clip_tiny ${CLX_FIXTURES} LIBS PkgConfig::CJSON)
set_tests_properties(test_classify PROPERTIES FIXTURES_REQUIRED clip_tiny)
if(TARGET clx_cl_kernels)
  add_test(NAME test_classify_pocl COMMAND test_classify ${CLX_CLIP_TINY} ${CLX_FIXTURES}/clip_tiny ${CLX_FIXTURES} pthread)
  set_tests_properties(test_classify_pocl PROPERTIES FIXTURES_REQUIRED clip_tiny LABELS "cl;pocl")
  # the bundled videos' labels with weights stored as half
  add_test(NAME test_classify_pocl_f16 COMMAND test_classify ${CLX_CLIP_TINY} ${CLX_FIXTURES}/clip_tiny ${CLX_FIXTURES} pthread@f16 short)
  set_tests_properties(test_classify_pocl_f16 PROPERTIES FIXTURES_REQUIRED clip_tiny LABELS "cl;pocl;matrix")
  add_test(NAME test_classify_rusticl COMMAND test_classify ${CLX_CLIP_TINY} ${CLX_FIXTURES}/clip_tiny ${CLX_FIXTURES} llvmpipe short)
  set_tests_properties(test_classify_rusticl PROPERTIES FIXTURES_REQUIRED clip_tiny LABELS "cl;rusticl"
                       ENVIRONMENT "RUSTICL_ENABLE=llvmpipe")
endif()

# In-process soak: 1000 classify calls and 21 classifiers created and freed,
# allocator bytes, file descriptors and OpenCL buffers back to their value
# after every one (fewer calls under the sanitizers, for time).
set(CLX_SOAK_CALLS 1000)
if(CLX_SANITIZE)
  set(CLX_SOAK_CALLS 200)
endif()
clx_test(test_soak ARGS ${CLX_CLIP_TINY} ${CLX_FIXTURES}/video ${CLX_SOAK_CALLS})
set_tests_properties(test_soak PROPERTIES FIXTURES_REQUIRED clip_tiny)
if(TARGET clx_cl_kernels)
  add_test(NAME test_soak_pocl COMMAND test_soak ${CLX_CLIP_TINY} ${CLX_FIXTURES}/video ${CLX_SOAK_CALLS} pthread)
  set_tests_properties(test_soak_pocl PROPERTIES FIXTURES_REQUIRED clip_tiny LABELS "cl;pocl")
endif()

# The same for a CLIP model on images (Pillow + CLIPProcessor + CLIPModel;
# tools/dev/gen_clip_classify_golden.py): real CLIP vocab, tiny towers,
# openai/clip-vit-base-patch32's processor config scaled to 64 px.
set(CLX_CLIP_IMAGE ${CMAKE_BINARY_DIR}/clip_image_model)
clx_assembled_model(clip_image 5)
add_test(NAME test_classify_clip COMMAND test_classify ${CLX_CLIP_IMAGE} ${CLX_FIXTURES}/clip_image ${CLX_FIXTURES})
set_tests_properties(test_classify_clip PROPERTIES FIXTURES_REQUIRED clip_image)
if(TARGET clx_cl_kernels)
  add_test(NAME test_classify_clip_pocl COMMAND test_classify ${CLX_CLIP_IMAGE} ${CLX_FIXTURES}/clip_image ${CLX_FIXTURES} pthread)
  set_tests_properties(test_classify_clip_pocl PROPERTIES FIXTURES_REQUIRED clip_image LABELS "cl;pocl")
  add_test(NAME test_classify_clip_pocl_f16 COMMAND test_classify ${CLX_CLIP_IMAGE} ${CLX_FIXTURES}/clip_image ${CLX_FIXTURES} pthread@f16 short)
  set_tests_properties(test_classify_clip_pocl_f16 PROPERTIES FIXTURES_REQUIRED clip_image LABELS "cl;pocl;matrix")
  add_test(NAME test_classify_clip_rusticl COMMAND test_classify ${CLX_CLIP_IMAGE} ${CLX_FIXTURES}/clip_image ${CLX_FIXTURES} llvmpipe short)
  set_tests_properties(test_classify_clip_rusticl PROPERTIES FIXTURES_REQUIRED clip_image LABELS "cl;rusticl"
                       ENVIRONMENT "RUSTICL_ENABLE=llvmpipe")
endif()
