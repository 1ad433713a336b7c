# The clx command line, end to end (exit codes and one-line messages).
add_test(NAME test_cli_run COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_cli_run.sh
         $<TARGET_FILE:clx_cli> ${CLX_FIXTURES}/tiny)
set_tests_properties(test_cli_run PROPERTIES LABELS bad-input)
add_test(NAME test_cli_classify COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_cli_classify.sh
         $<TARGET_FILE:clx_cli> ${CMAKE_BINARY_DIR}/clip_tiny_model ${CLX_FIXTURES}/video)
set_tests_properties(test_cli_classify PROPERTIES LABELS bad-input FIXTURES_REQUIRED clip_tiny)
# Collections: directories, manifests, shards, kill -9 and --resume.
add_test(NAME test_cli_batch COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_cli_batch.sh
         $<TARGET_FILE:clx_cli> ${CMAKE_BINARY_DIR}/clip_tiny_model ${CLX_FIXTURES}/video)
set_tests_properties(test_cli_batch PROPERTIES LABELS bad-input FIXTURES_REQUIRED clip_tiny)
