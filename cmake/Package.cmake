# `make package`: a Debian package, build/homectl_<version>_<arch>.deb, from
# the install rules in Install.cmake with the prefix /usr.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME homectl)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "homectl maintainers <homectl@packages.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "caching data hub for home-server sources")
set(CPACK_PACKAGE_DESCRIPTION
  "homectl fetches the HTTP sources a home server's dashboards and automations\n\
use, with timeouts, retries, a circuit breaker and concurrency caps, keeps the\n\
latest good value in memory and serves it on a local HTTP API, with\n\
stale-while-revalidate and stale-if-error. Changes are announced over Redis\n\
pub/sub and Server-Sent Events; /ready, /health, Prometheus /metrics, a status\n\
page and a watchdog with notifications show when something breaks.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_PREFIX /usr)
# Absolute destinations (/etc, /lib/systemd/system) land in the package, not
# on the building machine.
set(CPACK_SET_DESTDIR ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${CMAKE_SOURCE_DIR}/packaging/deb/conffiles
  ${CMAKE_SOURCE_DIR}/packaging/deb/postinst
  ${CMAKE_SOURCE_DIR}/packaging/deb/postrm)
include(CPack)
