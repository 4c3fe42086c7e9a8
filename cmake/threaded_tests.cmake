# Tests of the parts that run on more than one thread get the ctest label
# `threaded`; the ThreadSanitizer build (scripts/build Tsan, build/tsan) builds
# only what they need (target `threaded_tests`) and runs only them.
#
# Module unit tests listed here (agentp2p_module adds the label), and why
# each one runs code on several threads:
set(AGENTP2P_THREADED_MODULE_TESTS
  agentp2p_base_tests               # run_on / cancel_relay across io_contexts and a thread_pool, counters
  agentp2p_agent_tools_tests        # tools::registry runs handlers on its worker thread_pool
  agentp2p_agent_card_tests         # card services over a tools::registry
  agentp2p_agent_praxis_tests       # tool and MCP protocols call the registry's workers
  agentp2p_agent_mcp_tests          # mcp::server (shared by sessions, posts across executors) + registry
  agentp2p_agent_mcp_bridge_tests   # bridge runs peer calls on the host executor (run_on) from registry workers
  agentp2p_agent_a2a_tests          # A2A tool executor calls registry tools
  agentp2p_agent_a2a_http_tests     # the same over HTTP
  agentp2p_agent_discovery_tests    # capability search with a registry
  agentp2p_daemon_tests             # whole daemon nodes: registry pool, builtin tools on the host (run_on)
)

# Executables outside agentp2p_module that the `threaded` tests run
# (tests/*/CMakeLists.txt call this next to their LABELS "...;threaded").
function(agentp2p_threaded_targets)
  set_property(GLOBAL APPEND PROPERTY AGENTP2P_THREADED_TARGETS ${ARGN})
endfunction()

# For a gtest_discover_tests() executable, after that call: its tests get the
# labels `<label>;threaded`, and the executable is built by threaded_tests.
# (Not through gtest_discover_tests' PROPERTIES: it passes them through list
# expansions that split "a;b" into two arguments. Instead a ctest include
# file, read after the discovered tests, relabels them from the list of
# names the discovery leaves in <target>_TESTS.)
function(agentp2p_threaded_gtest target label)
  agentp2p_threaded_targets(${target})
  set(file "${CMAKE_CURRENT_BINARY_DIR}/${target}_threaded_labels.cmake")
  file(WRITE "${file}"
       "foreach(t IN LISTS ${target}_TESTS)\n  set_tests_properties(\"\${t}\" PROPERTIES LABELS \"${label};threaded\")\nendforeach()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${file}")
endfunction()

# After every target exists: `threaded_tests` builds all of them.
function(agentp2p_add_threaded_tests_target)
  get_property(targets GLOBAL PROPERTY AGENTP2P_THREADED_TARGETS)
  add_custom_target(threaded_tests)
  foreach(t IN LISTS targets)
    if(TARGET ${t})
      add_dependencies(threaded_tests ${t})
    endif()
  endforeach()
endfunction()
