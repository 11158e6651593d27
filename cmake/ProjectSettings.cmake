# INTERFACE targets linked only by homectl's own code: language level, warnings,
# sanitizers. Third-party targets never see these flags.
add_library(homectl_settings INTERFACE)
target_compile_features(homectl_settings INTERFACE cxx_std_20)
target_compile_definitions(homectl_settings INTERFACE
  BOOST_ASIO_NO_DEPRECATED
  BOOST_ASIO_SEPARATE_COMPILATION
  BOOST_BEAST_SEPARATE_COMPILATION)
# The hardening Debian builds with (dpkg-buildflags): stack protector, checked
# libc calls where the size is known, the GOT read-only and bound at start.
# The sanitizers bring their own checks; _FORTIFY_SOURCE needs optimisation.
target_link_options(homectl_settings INTERFACE -Wl,-z,relro -Wl,-z,now)
if(NOT HOMECTL_SANITIZE AND NOT HOMECTL_FUZZ)
  target_compile_options(homectl_settings INTERFACE -fstack-protector-strong)
  target_compile_definitions(homectl_settings INTERFACE $<$<NOT:$<CONFIG:Debug>>:_FORTIFY_SOURCE=2>)
endif()

add_library(homectl_warnings INTERFACE)
target_compile_options(homectl_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
  -Woverloaded-virtual -Wimplicit-fallthrough
  # Designated and partial aggregate initialisation is idiomatic here.
  -Wno-missing-field-initializers)
# g++ 12 reports a false -Wmismatched-new-delete on every Asio coroutine frame
# (awaitable_frame_base's class-specific new/delete); it drowns real warnings.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(homectl_warnings INTERFACE -Wno-mismatched-new-delete)
endif()
if(HOMECTL_WERROR)
  target_compile_options(homectl_warnings INTERFACE -Werror)
endif()

if(HOMECTL_SANITIZE)
  # e.g. -DHOMECTL_SANITIZE=address,undefined or -DHOMECTL_SANITIZE=thread
  target_compile_options(homectl_settings INTERFACE
    -fsanitize=${HOMECTL_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(homectl_settings INTERFACE -fsanitize=${HOMECTL_SANITIZE})
  if(HOMECTL_SANITIZE MATCHES "thread" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC warns that TSan does not model atomic_thread_fence, which Asio's
    # handler invocation uses; the scheduler's mutex already orders those
    # handlers for TSan, so the warning says nothing about our code.
    target_compile_options(homectl_settings INTERFACE -Wno-tsan)
  endif()
endif()

# Debug information: "full" (-g, the default) or "lines" (-g1: file and line
# for every instruction, enough for sanitizer reports, backtraces and
# profilers, and about a quarter less compile time; CI builds with it).
set(HOMECTL_DEBUG_INFO "full" CACHE STRING "Debug information: full or lines")
set_property(CACHE HOMECTL_DEBUG_INFO PROPERTY STRINGS full lines)
if(HOMECTL_DEBUG_INFO STREQUAL "lines")
  foreach(config DEBUG RELWITHDEBINFO)
    string(REGEX REPLACE "(^| )-g( |$)" "\\1-g1\\2" CMAKE_CXX_FLAGS_${config} "${CMAKE_CXX_FLAGS_${config}}")
  endforeach()
elseif(NOT HOMECTL_DEBUG_INFO STREQUAL "full")
  message(FATAL_ERROR "HOMECTL_DEBUG_INFO must be full or lines, not '${HOMECTL_DEBUG_INFO}'")
endif()
