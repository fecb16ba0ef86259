# orch_add_qtest(NAME <name> LABEL <unit|integration|gui|sim> SOURCES ... LIBS ... [TIMEOUT s] [ENV k=v...])
# Builds one Qt Test executable and registers it with CTest under its label.
function(orch_add_qtest)
  cmake_parse_arguments(T "" "NAME;LABEL;TIMEOUT" "SOURCES;LIBS;ENV" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE Qt6::Test ${T_LIBS})
  set_target_properties(${T_NAME} PROPERTIES AUTOMOC ON)
  orch_warnings(${T_NAME})
  add_test(NAME ${T_NAME} COMMAND ${T_NAME})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABEL}" TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "ORCH_BUILD_DIR=${CMAKE_BINARY_DIR};ORCH_SOURCE_DIR=${CMAKE_SOURCE_DIR};${T_ENV}")
endfunction()

# Adds a subdirectory only when it has a CMakeLists.txt (parts land one at a time).
macro(orch_add_subdirectory_if_present dir)
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${dir}/CMakeLists.txt)
    add_subdirectory(${dir})
  endif()
endmacro()
