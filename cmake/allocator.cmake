# The programs we ship and measure (the agentp2p daemon, agentp2p-p2pd,
# agentp2p-perf, the bench programs and the MCP/A2A servers the bench runs)
# allocate with gperftools' tcmalloc (Debian's libgoogle-perftools-dev).
# glibc malloc/free were ~28% of the server's CPU per /praxis/tool call at 64
# in flight: many short-lived coroutine frames and buffers of a few sizes,
# more alive at once than glibc's per-thread cache holds (it falls back to
# its locked arenas and consolidates fastbins). With tcmalloc the bench
# server takes 0.65 s instead of 0.96 s for 50,000 calls (mimalloc 0.69 s,
# jemalloc 0.85 s); RSS per idle connection moves from 19.8 to 20.0 kB
# (mimalloc 21.0 kB). docs/architecture.md, "Performance".
#
# The library itself does not choose an allocator: programs embedding it
# keep theirs. Sanitizer and fuzz builds keep glibc's (ASan/TSan replace
# malloc themselves). -DAGENTP2P_TCMALLOC=OFF turns it off.
option(AGENTP2P_TCMALLOC "Link the programs with tcmalloc (gperftools) when it is installed" ON)

set(AGENTP2P_TCMALLOC_LIBRARY "")
if(AGENTP2P_TCMALLOC AND NOT AGENTP2P_SANITIZE AND NOT AGENTP2P_TSAN AND NOT AGENTP2P_FUZZ)
  find_library(AGENTP2P_TCMALLOC_LIBRARY_PATH NAMES tcmalloc_minimal)
  if(AGENTP2P_TCMALLOC_LIBRARY_PATH)
    set(AGENTP2P_TCMALLOC_LIBRARY ${AGENTP2P_TCMALLOC_LIBRARY_PATH})
  else()
    message(WARNING "tcmalloc_minimal not found (apt-get install libgoogle-perftools-dev): "
                    "the programs use glibc malloc, which is markedly slower under load")
  endif()
endif()

# Links `target` (an executable) with the chosen allocator. --no-as-needed:
# nothing references tcmalloc by name; it replaces malloc by being loaded.
function(agentp2p_use_allocator target)
  if(AGENTP2P_TCMALLOC_LIBRARY)
    target_link_libraries(${target} PRIVATE -Wl,--push-state,--no-as-needed ${AGENTP2P_TCMALLOC_LIBRARY}
                          -Wl,--pop-state)
  endif()
endfunction()
