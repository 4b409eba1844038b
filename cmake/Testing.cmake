# Test registration. Unit tests are Catch2 executables (label `unit`); end-to-end tests run against the
# real peers of the test ground (label `e2e`) and expect its environment (`eval "$(tests/env/ground up)"`).
include(Catch)

# fluxcpp_unit_test(NAME SOURCES file... LIBRARIES target...)
function(fluxcpp_unit_test name)
  cmake_parse_arguments(PARSE_ARGV 1 test "" "" "SOURCES;LIBRARIES")
  add_executable(${name} ${test_SOURCES})
  target_link_libraries(${name} PRIVATE ${test_LIBRARIES} fluxcpp_catch_main)
  # Fixtures are data files under the test's own testdata/ folder.
  target_compile_definitions(${name} PRIVATE TESTDATA_DIR="${CMAKE_CURRENT_SOURCE_DIR}/testdata")
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
  catch_discover_tests(${name} TEST_PREFIX "${name}." PROPERTIES LABELS unit)
endfunction()

# fluxcpp_e2e_script(NAME SCRIPT [RUN_SERIAL]): a shell test of the test ground itself.
function(fluxcpp_e2e_script name script)
  cmake_parse_arguments(PARSE_ARGV 2 test "RUN_SERIAL" "TIMEOUT" "")
  if(NOT test_TIMEOUT)
    set(test_TIMEOUT 300)
  endif()
  add_test(NAME ${name} COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/${script})
  set_tests_properties(${name} PROPERTIES LABELS e2e TIMEOUT ${test_TIMEOUT}
    ENVIRONMENT "FLUXCPP_SOURCE_DIR=${PROJECT_SOURCE_DIR};FLUXCPP_BINARY_DIR=${PROJECT_BINARY_DIR}")
  if(test_RUN_SERIAL)
    set_tests_properties(${name} PROPERTIES RUN_SERIAL TRUE)
  endif()
endfunction()

# The tree stays formatted with the root .clang-format.
add_test(NAME format COMMAND ${PROJECT_SOURCE_DIR}/tools/check-format)
set_tests_properties(format PROPERTIES LABELS unit)

# fluxcpp_e2e_test(NAME SOURCES file... LIBRARIES target... [RUN_SERIAL]): a Catch2 executable that talks to
# the peers of the running test ground. RUN_SERIAL for tests that disturb the ground (restart a server).
function(fluxcpp_e2e_test name)
  cmake_parse_arguments(PARSE_ARGV 1 test "RUN_SERIAL" "" "SOURCES;LIBRARIES")
  add_executable(${name} ${test_SOURCES})
  target_link_libraries(${name} PRIVATE ${test_LIBRARIES} fluxcpp_e2e_support fluxcpp_catch_main)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
  target_compile_definitions(${name} PRIVATE TESTDATA_DIR="${CMAKE_CURRENT_SOURCE_DIR}/testdata")
  set(properties LABELS e2e TIMEOUT 600)
  if(test_RUN_SERIAL)
    list(APPEND properties RUN_SERIAL TRUE)
  endif()
  catch_discover_tests(${name} TEST_PREFIX "${name}." PROPERTIES ${properties})
endfunction()
