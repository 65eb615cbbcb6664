# `cmake --install` puts the library, its headers and a package config in place, so that another
# project can write find_package(tuneq) and link tuneq::tuneq.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS tuneq EXPORT tuneqTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY include/tuneq DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT tuneqTargets NAMESPACE tuneq:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/tuneq)

configure_package_config_file(cmake/tuneqConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/tuneqConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/tuneq)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/tuneqConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/tuneqConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/tuneqConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/tuneq)
