clx_test(test_sched)

# The epilogue fusion pass: structure, CPU fused = unfused bit for bit, and
# the fused graph on each OpenCL device against the unfused CPU reference.
clx_test(test_fuse)
if(TARGET clx_cl_kernels)
  foreach(d ${CLX_CL_DEVICES})
    add_test(NAME test_fuse_${d} COMMAND test_fuse ${CLX_CL_SPEC_${d}})
    set_tests_properties(test_fuse_${d} PROPERTIES LABELS "cl;${d}"
                         ENVIRONMENT "${CLX_CL_ENV_${d}};${CLX_CL_TEST_ENV}")
  endforeach()
endif()
