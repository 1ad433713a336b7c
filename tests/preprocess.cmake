# Preprocessing (runtime/io/preprocess.c): PIL-exact resize and the VideoMAE
# image processor against Pillow and transformers (tools/dev/gen_video_golden.py),
# bad preprocessor_config.json input, allocation failure.
clx_test(test_preprocess
  ARGS ${CLX_FIXTURES}/preprocess ${CLX_FIXTURES}/video/golden
       ${CMAKE_CURRENT_BINARY_DIR}/preprocess_scratch
  LIBS PkgConfig::CJSON
  LABELS "bad-input")
