# clx_libfuzzer(NAME): with clang and -DCLX_FUZZ=ON, the libFuzzer binary of
# tests/fuzz/NAME.c (its LLVMFuzzerTestOneInput with -fsanitize=fuzzer), e.g.
#   build/tests/NAME -max_total_time=60 <seed corpus>
# Without them nothing is built: the NAME_replay test (replay.c) runs the
# same entry point over the seed corpus under ctest with any compiler.
include_guard(GLOBAL)

function(clx_libfuzzer name)
  if(CLX_FUZZ AND CMAKE_C_COMPILER_ID MATCHES "Clang")
    add_executable(${name} ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/${name}.c)
    target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/runtime)
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_libraries(${name} PRIVATE clx m)
  endif()
endfunction()
