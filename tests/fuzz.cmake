# Fuzz targets of the batch run's and the tuner's text inputs and of
# preprocessing, each replayed over its seed corpus (tests/fuzz/corpus/NAME);
# with clang and -DCLX_FUZZ=ON also libFuzzer binaries for tools/fuzz.sh.
# (safetensors, config, npy, tokenizer and demux are registered beside their
# unit tests.)
set(CLX_FUZZ_CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus)
clx_fuzz_target(fuzz_manifest ${CLX_FUZZ_CORPUS}/manifest)
clx_fuzz_target(fuzz_tuning ${CLX_FUZZ_CORPUS}/tuning)
clx_fuzz_target(fuzz_preprocess ${CLX_FUZZ_CORPUS}/preprocess)
clx_fuzz_target(fuzz_labels ${CLX_FUZZ_CORPUS}/labels
                SOURCES ${CMAKE_SOURCE_DIR}/tools/clx/labels.c LIBS clx_tools
                INCLUDES ${CMAKE_SOURCE_DIR}/tools/clx)
