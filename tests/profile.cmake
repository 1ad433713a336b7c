# clx-profile (tools/profile, docs/PROFILE.md): FLOP counts against a hand
# count in closed form, and the program end to end on the tiny fixture (CPU
# reference, plus PoCL when this clx has the OpenCL backend and PoCL is
# installed): JSON schema, CSV shape, per-node times vs the device total,
# self-contained HTML, trace, --compare and `clx profile`.
clx_test(test_profile_cost
         ARGS ${CLX_FIXTURES}/base/config.json ${CLX_FIXTURES}/tiny/config.json)
clx_test(test_profile LIBS PkgConfig::CJSON
         ARGS $<TARGET_FILE:clx_profile> $<TARGET_FILE:clx_cli> ${CLX_FIXTURES}/tiny)
set_tests_properties(test_profile PROPERTIES LABELS profile TIMEOUT 600)
