# The CPU reference against transformers (tests/fixtures, docs/FIXTURES.md).
clx_test(test_xclip_golden_tiny SOURCES test_xclip_golden.c
         ARGS ${CLX_FIXTURES}/tiny ${CLX_FIXTURES}/tiny ${CLX_FIXTURES}/tiny/pixel_values.npy)

# Fixture B: the exact base-patch32 shapes. Its 786 MB of weights and the
# pixel values are regenerated bit-exactly by clx-synth from the seeds in
# tests/fixtures/base/synth.json (1234 and 1235; keep these in step).
set(CLX_BASE_MODEL ${CMAKE_BINARY_DIR}/base_model)
add_test(NAME base_model_synth
         COMMAND clx_synth --config ${CLX_FIXTURES}/base/config.json --seed 1234
                 --out ${CLX_BASE_MODEL} --pixels ${CLX_BASE_MODEL}/pixel_values.npy
                 --pixel-seed 1235 --pixel-shape 1,8,3,224,224)
set_tests_properties(base_model_synth PROPERTIES FIXTURES_SETUP base_model LABELS base)
clx_test(test_xclip_golden_base SOURCES test_xclip_golden.c LABELS base
         ARGS ${CLX_FIXTURES}/base ${CLX_BASE_MODEL} ${CLX_BASE_MODEL}/pixel_values.npy)
set_tests_properties(test_xclip_golden_base PROPERTIES FIXTURES_REQUIRED base_model)
