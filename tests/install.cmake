# cmake --install + pkg-config, with a program built against the install.
add_test(NAME test_install COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/install/test_install.sh ${CMAKE_BINARY_DIR})
