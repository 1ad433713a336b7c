# config.json parser: golden vs transformers, bad input, allocation failure;
# the fuzz target replayed over its seed corpus.
clx_test(test_config ARGS ${CLX_FIXTURES}/config)
clx_fuzz_target(fuzz_config ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus/config)
