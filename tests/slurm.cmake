# Scale-out on a real Slurm cluster with the job script of docs/SCALE_OUT.md.
# Needs a cluster (SLURM_CONF; .ci/run starts one with tools/dev/slurm-cluster.sh);
# without one the test reports itself skipped, not passed, and with
# CLX_REQUIRE_SLURM=1 (CI) it fails instead.
add_test(NAME test_slurm_array COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/slurm/test_slurm_array.sh
         $<TARGET_FILE:clx_cli> ${CMAKE_BINARY_DIR}/clip_tiny_model
         ${CMAKE_SOURCE_DIR}/docs/scale-out/classify-array.sbatch)
set_tests_properties(test_slurm_array PROPERTIES LABELS slurm FIXTURES_REQUIRED clip_tiny
                     SKIP_RETURN_CODE 77 TIMEOUT 900)
