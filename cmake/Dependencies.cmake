# Every dependency comes from a Debian 12 package (scripts/install-deps.sh installs them).
find_package(Threads REQUIRED)
find_package(Boost 1.81 REQUIRED)            # Asio, Beast, JSON and URL (header-only use)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(prometheus-cpp REQUIRED)
find_package(pugixml REQUIRED)
find_package(CURL REQUIRED)
find_package(ZLIB REQUIRED)                  # crc32 of spool records
find_package(OpenSSL REQUIRED)
find_package(Eigen3 REQUIRED NO_MODULE)
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
pkg_check_modules(ARGON2 REQUIRED IMPORTED_TARGET libargon2)
# CLI11 ships a header only, without a CMake package on Debian 12.
find_path(CLI11_INCLUDE_DIR CLI/CLI.hpp REQUIRED)
