# Precompiled headers for the binary: the Boost.Asio/Beast and nlohmann/json
# headers are much of what a translation unit of homectl_core costs; parsing
# them once cuts a cold build of the binary by a fifth (README, "Build from
# source"). The tests gain nothing measurable (GoogleTest's macros are the
# cost there), so they have none.
option(HOMECTL_PCH "Precompile the common headers" ON)

# The target's own precompiled header, or that of `REUSE_FROM <target>`.
function(homectl_precompile target)
  if(HOMECTL_PCH)
    if(ARGV1 STREQUAL "REUSE_FROM")
      target_precompile_headers(${target} REUSE_FROM ${ARGV2})
    else()
      target_precompile_headers(${target} PRIVATE ${CMAKE_SOURCE_DIR}/cmake/pch/${ARGV1})
    endif()
    if(CCACHE_PROGRAM AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      target_compile_options(${target} PRIVATE -fpch-preprocess)
    endif()
  endif()
endfunction()

# ccache caches translation units that use a precompiled header only when told
# that the header's defines and time stamps may be trusted, and only with
# -fpch-preprocess (GCC; above).
if(HOMECTL_PCH AND CCACHE_PROGRAM)
  set(CMAKE_CXX_COMPILER_LAUNCHER
      ${CMAKE_COMMAND} -E env CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
      ${CCACHE_PROGRAM})
endif()
