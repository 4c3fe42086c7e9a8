# agentp2p_module(<name> SOURCES ... [DEPS ...] [PRIVATE_DEPS ...] [PROTOS ...]
#                 [TESTS ...] [TEST_DEPS ...])
# One static library per module (target agentp2p_<name>), linking only the
# modules it may use: the dependency rule of docs/architecture.md made visible.
# PROTOS are compiled with protoc into the module's private build directory.
# TESTS become one GoogleTest executable, agentp2p_<name>_tests, run by ctest.
function(agentp2p_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS;PRIVATE_DEPS;PROTOS;TESTS;TEST_DEPS" ${ARGN})
  set(target agentp2p_${name})
  add_library(${target} STATIC ${M_SOURCES})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${target} PUBLIC ${M_DEPS} PRIVATE ${M_PRIVATE_DEPS})
  if(M_PROTOS)
    set(gen_dir ${CMAKE_CURRENT_BINARY_DIR}/proto_gen)
    file(MAKE_DIRECTORY ${gen_dir})
    protobuf_generate(TARGET ${target} LANGUAGE cpp PROTOS ${M_PROTOS}
                      IMPORT_DIRS ${CMAKE_CURRENT_SOURCE_DIR} PROTOC_OUT_DIR ${gen_dir})
    target_include_directories(${target} PRIVATE ${gen_dir})
    target_link_libraries(${target} PRIVATE protobuf::libprotobuf-lite)
  endif()
  # Listed tests that do not exist yet are skipped with a warning, so a module
  # being brought up does not break everyone's configure.
  set(existing_tests "")
  foreach(t ${M_TESTS})
    if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${t})
      list(APPEND existing_tests ${t})
    else()
      message(WARNING "${target}: test source ${t} not found; skipped")
    endif()
  endforeach()
  set(M_TESTS ${existing_tests})
  if(AGENTP2P_BUILD_TESTS AND M_TESTS)
    add_executable(${target}_tests ${M_TESTS})
    # Layers below core/ get only the coroutine runner; the rest also get
    # loopback stream pairs (which need the TCP transport).
    if(name MATCHES "^(base|multiformats|crypto)$")
      set(support agentp2p_test_run)
    else()
      set(support agentp2p_test_support)
    endif()
    target_link_libraries(${target}_tests PRIVATE ${target} ${M_TEST_DEPS} ${support} GTest::gtest_main)
    if(M_PROTOS)
      target_include_directories(${target}_tests PRIVATE ${CMAKE_CURRENT_BINARY_DIR}/proto_gen)
      target_link_libraries(${target}_tests PRIVATE protobuf::libprotobuf-lite)
    endif()
    gtest_discover_tests(${target}_tests DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 120 LABELS unit)
    if(${target}_tests IN_LIST AGENTP2P_THREADED_MODULE_TESTS)  # cmake/threaded_tests.cmake
      agentp2p_threaded_gtest(${target}_tests unit)
    endif()
  endif()
endfunction()
