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
# The C API example program (examples/classify_videos.c) against clx classify.
if(TARGET classify_videos)
  set(clx_example_devices cpu)
  if(TARGET clx_cl_kernels)
    list(APPEND clx_example_devices pthread)
  endif()
  foreach(d ${clx_example_devices})
    add_test(NAME test_example_classify_${d}
             COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_example_classify.sh $<TARGET_FILE:classify_videos>
                     $<TARGET_FILE:clx_cli> ${CMAKE_BINARY_DIR}/clip_tiny_model ${CLX_FIXTURES}/video ${d})
    set_tests_properties(test_example_classify_${d} PROPERTIES FIXTURES_REQUIRED clip_tiny)
  endforeach()
endif()
# Pipes, FIFOs (with and without a writer), standard input, device nodes and
# symlink loops for every file-taking option.
add_test(NAME test_cli_inputs COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_cli_inputs.sh
         $<TARGET_FILE:clx_cli> ${CMAKE_BINARY_DIR}/clip_tiny_model ${CLX_FIXTURES}/video ${CLX_FIXTURES}/tiny)
set_tests_properties(test_cli_inputs PROPERTIES LABELS bad-input FIXTURES_REQUIRED clip_tiny)
# Every command's --help and every option it lists; `--`; strict numbers.
add_test(NAME test_cli_help COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_cli_help.sh
         $<TARGET_FILE:clx_cli> ${CMAKE_BINARY_DIR}/clip_tiny_model ${CLX_FIXTURES}/video/h264.mp4)
set_tests_properties(test_cli_help PROPERTIES LABELS bad-input FIXTURES_REQUIRED clip_tiny)
# A CLIP model on images: every command, and bad images and mismatched inputs.
add_test(NAME test_cli_clip COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_cli_clip.sh
         $<TARGET_FILE:clx_cli> ${CMAKE_BINARY_DIR}/clip_image_model ${CMAKE_BINARY_DIR}/clip_tiny_model
         ${CLX_FIXTURES})
set_tests_properties(test_cli_clip PROPERTIES LABELS bad-input FIXTURES_REQUIRED "clip_image;clip_tiny")
