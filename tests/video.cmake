# Video decoding (runtime/io/video.c): golden comparisons with PyAV and NumPy
# (tools/dev/gen_video_golden.py), bad input generated at test time in a scratch
# folder, allocation failure; the demux fuzz target replayed over the test
# videos (its seed corpus), and the decode fuzz target replayed over its seeds.
clx_test(test_video
  ARGS ${CLX_FIXTURES}/video ${CMAKE_CURRENT_BINARY_DIR}/video_scratch
  LABELS "bad-input")
# The same with the GOP-buffering seek path turned off, so the frame-counting
# seek path (used for GOPs longer than 4096 packets) is checked too.
add_test(NAME test_video_counting
  COMMAND test_video ${CLX_FIXTURES}/video ${CMAKE_CURRENT_BINARY_DIR}/video_scratch_counting)
set_tests_properties(test_video_counting PROPERTIES
  ENVIRONMENT "CLX_VIDEO_GOP_CAP=0" LABELS "bad-input")
clx_fuzz_target(fuzz_demux ${CLX_FIXTURES}/video)
# Synthetic streams (raw frames of many pixel formats, coded packets) muxed
# in memory: needs libavformat itself.
if(CLX_FFMPEG)
  clx_fuzz_target(fuzz_decode ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus/decode
                  LIBS PkgConfig::FFMPEG)
endif()

# Decode benchmark (not a test): tools/dev/bench/bench_decode.sh BUILD_DIR
add_executable(clx_bench_decode EXCLUDE_FROM_ALL ${CMAKE_SOURCE_DIR}/tools/dev/bench/bench_decode.c)
set_target_properties(clx_bench_decode PROPERTIES OUTPUT_NAME clx-bench-decode
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
target_link_libraries(clx_bench_decode PRIVATE clx m)
