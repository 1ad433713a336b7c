# clx_fuzz_target(NAME CORPUS [SOURCES extra.c...] [DEFS D=V...] [LIBS l...]
#                 [INCLUDES dir...]):
#   - always: the NAME_replay test (replay.c), which runs the target's
#     LLVMFuzzerTestOneInput over the seed corpus under ctest with any
#     compiler (labels "bad-input;fuzz");
#   - with clang and -DCLX_FUZZ=ON, also the libFuzzer binary NAME (with
#     -fsanitize=fuzzer; add -DCLX_SANITIZE=ON for ASan + UBSan), run by
#     tools/fuzz.sh, e.g. build-fuzz/tests/NAME -max_total_time=60 CORPUS
# tests/fuzz/NAME.c holds the target.
include_guard(GLOBAL)

function(clx_fuzz_target name corpus)
  cmake_parse_arguments(F "" "" "SOURCES;DEFS;LIBS;INCLUDES" ${ARGN})
  clx_test(${name}_replay SOURCES fuzz/${name}.c fuzz/replay.c ${F_SOURCES}
           ARGS ${corpus} LIBS ${F_LIBS} LABELS "bad-input;fuzz")
  if(F_DEFS)
    target_compile_definitions(${name}_replay PRIVATE ${F_DEFS})
  endif()
  target_include_directories(${name}_replay PRIVATE ${F_INCLUDES})
  if(CLX_FUZZ AND CMAKE_C_COMPILER_ID MATCHES "Clang")
    add_executable(${name} ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/${name}.c ${F_SOURCES})
    target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/runtime ${CMAKE_SOURCE_DIR}/tests
                               ${F_INCLUDES})
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_libraries(${name} PRIVATE clx m ${F_LIBS})
    if(F_DEFS)
      target_compile_definitions(${name} PRIVATE ${F_DEFS})
    endif()
  endif()
endfunction()
