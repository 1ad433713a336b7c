# .npy reader/writer: golden NumPy files, round trips, bad input, allocation
# failure; the fuzz target replayed over its seed corpus.
clx_test(test_npy ARGS ${CLX_FIXTURES}/npy)
clx_test(fuzz_npy_replay SOURCES fuzz/fuzz_npy.c fuzz/replay.c
         ARGS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus/npy)
