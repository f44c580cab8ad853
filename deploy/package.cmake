# deploy/package.cmake: what `make install` puts where, and the Debian
# package CPack builds from it (`cpack -G DEB` in the build directory;
# README "The Debian package").
include(GNUInstallDirs)

install(TARGETS lnob-aggregator lnob-aggregator-full lnob-collector RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${CMAKE_SOURCE_DIR}/deploy/man/lnob-aggregator.1
              ${CMAKE_SOURCE_DIR}/deploy/man/lnob-collector.1
        DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${CMAKE_SOURCE_DIR}/deploy/systemd/lnob-aggregator.service
              ${CMAKE_SOURCE_DIR}/deploy/systemd/lnob-collector.service
        DESTINATION lib/systemd/system)
install(FILES ${CMAKE_SOURCE_DIR}/deploy/examples/aggregator.conf
              ${CMAKE_SOURCE_DIR}/deploy/examples/collector.conf
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
# The schema of lnob's ADX export, and a DHIS2 mapping to start from
# (README "Export to ADX and DHIS2").
install(FILES ${CMAKE_SOURCE_DIR}/deploy/adx/lnob-adx.xsd DESTINATION ${CMAKE_INSTALL_DATADIR}/lnob/adx)
install(FILES ${CMAKE_SOURCE_DIR}/deploy/adx/dhis2-mapping.ini DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)

set(CPACK_PACKAGE_NAME lnob)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "For the poor - Leave no one behind: signed reporting network (collector and aggregator)")
set(CPACK_PACKAGE_CONTACT "lnob maintainers <lnob@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)          # Depends from the binaries' libraries
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")     # and the postinst's
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${CMAKE_SOURCE_DIR}/deploy/debian/postinst)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
