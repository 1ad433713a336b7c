# The OpenCL backend (cl/) on the two OpenCL implementations CI has without
# a GPU: PoCL (CPU device "pthread-…") and Mesa rusticl on llvmpipe
# (RUSTICL_ENABLE=llvmpipe). Each test takes a device spec and FAILS when
# that device is missing, and checks that kernels ran on it.
if(NOT TARGET clx_cl_kernels)
  return() # built without the OpenCL backend
endif()

set(CLX_CL_DEVICES pocl rusticl)
set(CLX_CL_SPEC_pocl pthread)
set(CLX_CL_ENV_pocl "")
set(CLX_CL_SPEC_rusticl llvmpipe)
set(CLX_CL_ENV_rusticl "RUSTICL_ENABLE=llvmpipe")

# Program binaries go to a cache inside the build tree, not the user's.
set(CLX_CL_TEST_ENV "CLX_CACHE_DIR=${CMAKE_BINARY_DIR}/clx-cache")

add_executable(test_cl_ops test_cl_ops.c)
target_include_directories(test_cl_ops PRIVATE ${CMAKE_SOURCE_DIR}/tests ${CMAKE_SOURCE_DIR}/runtime)
target_link_libraries(test_cl_ops PRIVATE clx m)

foreach(d ${CLX_CL_DEVICES})
  add_test(NAME test_cl_ops_${d} COMMAND test_cl_ops ${CLX_CL_SPEC_${d}})
  set_tests_properties(test_cl_ops_${d} PROPERTIES LABELS "cl;${d}"
                       ENVIRONMENT "${CLX_CL_ENV_${d}};${CLX_CL_TEST_ENV}")
endforeach()
