# Still images (runtime/io/image*.c): every file of tests/fixtures/images
# against Pillow's convert("RGB") (tools/dev/gen_image_golden.py), bad input
# (truncated, corrupt, huge, unsupported), every prefix of some files,
# allocation failure; the fuzz target replayed over its seeds.
clx_test(test_image ARGS ${CLX_FIXTURES}/images LIBS PkgConfig::CJSON LABELS "bad-input")
clx_fuzz_target(fuzz_image ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus/image)
