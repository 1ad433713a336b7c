# safetensors: the reader/writer unit test and the fuzz target's replay
# over its seed corpus (tests/fuzz/corpus/safetensors, made by
# tests/fuzz/gen_safetensors_corpus.py).
clx_test(test_safetensors LABELS "bad-input")

# replay.c is generic: link it with any fuzz target, pass files or folders.
clx_test(fuzz_safetensors_replay
  SOURCES fuzz/fuzz_safetensors.c fuzz/replay.c
  ARGS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus/safetensors
  LABELS "bad-input;fuzz")

# With clang, -DCLX_FUZZ=ON also builds the libFuzzer binary:
#   build/tests/fuzz_safetensors -max_total_time=60 tests/fuzz/corpus/safetensors
include(${CMAKE_CURRENT_SOURCE_DIR}/fuzz/libfuzzer.cmake)
clx_libfuzzer(fuzz_safetensors)
