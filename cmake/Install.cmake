# What `make install` and `make package` put where. Paths follow the prefix;
# with the prefix /usr (the Debian package) the units go to /lib/systemd/system
# as Debian 12 expects. Files that are generated or compressed at install time
# are staged in ${CMAKE_BINARY_DIR}/install/ first.
include(GNUInstallDirs)

install(TARGETS homectl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES completions/homectl.bash DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME homectl)
install(FILES completions/homectl.fish DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
install(FILES README.md examples/homectl.json .env.sample DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES packaging/deb/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})

install(CODE "
  set(HOMECTL_SOURCE_DIR \"${CMAKE_SOURCE_DIR}\")
  set(HOMECTL_STAGE \"${CMAKE_BINARY_DIR}/install\")
  set(HOMECTL_BINARY \"$<TARGET_FILE:homectl>\")
  set(HOMECTL_VERSION \"${PROJECT_VERSION}\")
  set(HOMECTL_MANDIR \"${CMAKE_INSTALL_MANDIR}\")
  set(HOMECTL_DOCDIR \"${CMAKE_INSTALL_DOCDIR}\")
  set(HOMECTL_DATADIR \"${CMAKE_INSTALL_DATADIR}\")")
install(CODE [[
  # Each install stages on its own: two may run at once (tests, cpack).
  string(RANDOM LENGTH 12 stage_id)
  set(HOMECTL_STAGE "${HOMECTL_STAGE}/${stage_id}")
  file(MAKE_DIRECTORY "${HOMECTL_STAGE}")
  if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    set(unit_dir "/lib/systemd/system")
    set(zsh_dir "${CMAKE_INSTALL_PREFIX}/share/zsh/vendor-completions")
  else()
    set(unit_dir "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
    # zsh searches <prefix>/share/zsh/site-functions for /usr/local.
    set(zsh_dir "${CMAKE_INSTALL_PREFIX}/share/zsh/site-functions")
  endif()
  file(INSTALL "${HOMECTL_SOURCE_DIR}/completions/_homectl" DESTINATION "${zsh_dir}")

  # Man pages and the changelog compressed as Debian policy asks (gzip -9n:
  # no name or time stamp, so the package is reproducible).
  function(homectl_gzip in out)
    execute_process(COMMAND gzip -9nc INPUT_FILE "${in}" OUTPUT_FILE "${out}" RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "gzip ${in} failed: ${rc}")
    endif()
  endfunction()
  homectl_gzip("${HOMECTL_SOURCE_DIR}/man/homectl.1" "${HOMECTL_STAGE}/homectl.1.gz")
  homectl_gzip("${HOMECTL_SOURCE_DIR}/man/homectl.json.5" "${HOMECTL_STAGE}/homectl.json.5.gz")
  file(INSTALL "${HOMECTL_STAGE}/homectl.1.gz" DESTINATION "${CMAKE_INSTALL_PREFIX}/${HOMECTL_MANDIR}/man1")
  file(INSTALL "${HOMECTL_STAGE}/homectl.json.5.gz" DESTINATION "${CMAKE_INSTALL_PREFIX}/${HOMECTL_MANDIR}/man5")
  configure_file("${HOMECTL_SOURCE_DIR}/packaging/deb/changelog.in" "${HOMECTL_STAGE}/changelog" @ONLY)
  homectl_gzip("${HOMECTL_STAGE}/changelog" "${HOMECTL_STAGE}/changelog.gz")
  file(INSTALL "${HOMECTL_STAGE}/changelog.gz" DESTINATION "${CMAKE_INSTALL_PREFIX}/${HOMECTL_DOCDIR}")

  # The configuration's JSON Schema, from the binary that reads the configuration.
  execute_process(COMMAND "${HOMECTL_BINARY}" config schema
                  OUTPUT_FILE "${HOMECTL_STAGE}/homectl.schema.json" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "homectl config schema failed: ${rc}")
  endif()
  file(INSTALL "${HOMECTL_STAGE}/homectl.schema.json"
       DESTINATION "${CMAKE_INSTALL_PREFIX}/${HOMECTL_DATADIR}/homectl")

  # The checked-in units and configuration name /usr/local/bin/homectl and
  # /usr/share/homectl; they are rewritten for the actual prefix.
  function(homectl_install_rewritten in dir)
    get_filename_component(name "${in}" NAME)
    file(READ "${in}" text)
    string(REPLACE "/usr/local/bin/homectl" "${CMAKE_INSTALL_PREFIX}/bin/homectl" text "${text}")
    string(REPLACE "/usr/share/homectl/" "${CMAKE_INSTALL_PREFIX}/${HOMECTL_DATADIR}/homectl/" text "${text}")
    file(WRITE "${HOMECTL_STAGE}/${name}" "${text}")
    file(INSTALL "${HOMECTL_STAGE}/${name}" DESTINATION "${dir}")
  endfunction()
  file(GLOB units "${HOMECTL_SOURCE_DIR}/contrib/systemd/*.service"
                  "${HOMECTL_SOURCE_DIR}/contrib/systemd/*.timer")
  foreach(unit IN LISTS units)
    homectl_install_rewritten("${unit}" "${unit_dir}")
  endforeach()

  # A starter configuration, never over an operator's own (the package marks
  # it a conffile: dpkg keeps edits). System prefixes put it where the daemon
  # looks, /etc/homectl; any other prefix (e.g. $HOME/.local, no root) keeps
  # it under the prefix, in etc/homectl.
  if(CMAKE_INSTALL_PREFIX STREQUAL "/usr" OR CMAKE_INSTALL_PREFIX STREQUAL "/usr/local")
    set(config_dir "/etc/homectl")
  else()
    set(config_dir "${CMAKE_INSTALL_PREFIX}/etc/homectl")
  endif()
  if(EXISTS "$ENV{DESTDIR}${config_dir}/homectl.json")
    message(STATUS "Kept: $ENV{DESTDIR}${config_dir}/homectl.json")
  else()
    homectl_install_rewritten("${HOMECTL_SOURCE_DIR}/packaging/deb/homectl.json" "${config_dir}")
  endif()
  file(REMOVE_RECURSE "${HOMECTL_STAGE}")
]])
