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

# Unity build: a target's sources compiled in batches of eight files (in path
# order, so mostly one area's), so that the headers and the templates they
# instantiate (Asio, Beast, nlohmann/json, GoogleTest) are compiled once per
# batch instead of once per file. A name local to a file (anonymous namespace)
# must therefore not be defined again by another file of its batch: the
# compiler says so. Shared helpers belong in a header anyway.
option(HOMECTL_UNITY "Compile each target in batches of files (unity build)" ON)
set(HOMECTL_UNITY_BATCH 8 CACHE STRING "Files per unity batch")

function(homectl_unity target)
  if(HOMECTL_UNITY)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_MODE BATCH
                                               UNITY_BUILD_BATCH_SIZE ${HOMECTL_UNITY_BATCH})
    # A batch includes its files, so GCC takes their file-local types for a
    # header's and warns about every coroutine frame that holds one.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      target_compile_options(${target} PRIVATE -Wno-subobject-linkage)
    endif()
  endif()
endfunction()
