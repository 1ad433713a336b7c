# .npy reader/writer: golden NumPy files, round trips, bad input, allocation
# failure; the fuzz target replayed over its seed corpus.
clx_test(test_npy ARGS ${CLX_FIXTURES}/npy)
clx_fuzz_target(fuzz_npy ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus/npy)
