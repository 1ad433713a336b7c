clx_test(test_model ARGS ${CLX_FIXTURES}/tiny LABELS bad-input)
