# safetensors: the reader/writer unit test and the fuzz target's replay
# over its seed corpus (tests/fuzz/corpus/safetensors, made by
# tests/fuzz/gen_safetensors_corpus.py).
clx_test(test_safetensors LABELS "bad-input")

clx_fuzz_target(fuzz_safetensors ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus/safetensors)
