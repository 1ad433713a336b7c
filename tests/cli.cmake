# The clx command line, end to end (exit codes and one-line messages).
add_test(NAME test_cli_run COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_cli_run.sh
         $<TARGET_FILE:clx_cli> ${CLX_FIXTURES}/tiny)
set_tests_properties(test_cli_run PROPERTIES LABELS bad-input)
