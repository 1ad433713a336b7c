# The synthetic generator (runtime/model/synth.c) against tools/dev/gen_fixtures.py.
clx_test(test_synth ARGS ${CLX_FIXTURES}/synth_check.json LIBS PkgConfig::CJSON)
clx_test(test_synth_model ARGS ${CLX_FIXTURES}/tiny ${CMAKE_CURRENT_BINARY_DIR}/synth_tiny)
