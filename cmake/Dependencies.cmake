# Every third-party library comes from Debian's packages (tools/install-deps installs them). Each is
# found here once, as an imported target, so component folders only name what they link.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(CURL REQUIRED)
find_package(Protobuf REQUIRED)
find_package(gRPC CONFIG REQUIRED)
find_package(absl CONFIG REQUIRED)
find_package(yaml-cpp CONFIG REQUIRED)
find_package(nlohmann_json 3.11 CONFIG REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(Catch2 2 CONFIG REQUIRED)
pkg_check_modules(libgit2 REQUIRED IMPORTED_TARGET libgit2)
pkg_check_modules(libssh2 REQUIRED IMPORTED_TARGET libssh2)
pkg_check_modules(httplib REQUIRED IMPORTED_TARGET cpp-httplib)
pkg_check_modules(libarchive REQUIRED IMPORTED_TARGET libarchive)
pkg_check_modules(gpgme REQUIRED IMPORTED_TARGET gpgme)
# RE2 (prefix libre2: a re2_FOUND would stop gRPC's config from defining its re2::re2): SOPS' encrypted_regex / unencrypted_regex are Go regular expressions, which RE2 reads alike.
pkg_check_modules(libre2 REQUIRED IMPORTED_TARGET re2)

find_program(GRPC_CPP_PLUGIN grpc_cpp_plugin REQUIRED)
