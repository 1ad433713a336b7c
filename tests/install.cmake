# cmake --install + pkg-config, with a program built against the install.
set(CLX_INSTALL_TEST_FLAGS "")
if(CLX_SANITIZE)
  set(CLX_INSTALL_TEST_FLAGS -fsanitize=address,undefined)
endif()
add_test(NAME test_install COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/install/test_install.sh ${CMAKE_BINARY_DIR}
         ${CLX_INSTALL_TEST_FLAGS})
