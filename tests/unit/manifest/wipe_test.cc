#include "lib/manifest/wipe.h"

#include <algorithm>
#include <catch2/catch.hpp>

namespace fluxcpp::manifest {
namespace {

bool AllZero(const char* bytes, size_t size) {
  return std::all_of(bytes, bytes + size, [](char c) { return c == '\0'; });
}

TEST_CASE("WipeString zeroes the whole buffer, also what lies past a shrunk size") {
  std::string secret(64, 'k');
  secret.resize(8);  // the other 56 bytes stay in the buffer
  const char* buffer = secret.data();
  size_t capacity = secret.capacity();
  WipeString(secret);
  CHECK(secret.empty());
  // clear() keeps the buffer, so its bytes can still be read here.
  REQUIRE(secret.data() == buffer);
  CHECK(AllZero(buffer, capacity));
}

TEST_CASE("a string inside a Json tree is wiped in place, and WipeJson leaves null") {
  Json secret = Json::parse(R"({"data": {"password": "c2VjcmV0LXZhbHVlLXRoYXQtaXMtbG9uZw=="},
                               "list": ["another-long-secret-value-of-some-length", 3, null]})");
  std::string& password = secret["data"]["password"].get_ref<std::string&>();
  const char* password_bytes = password.data();
  size_t password_capacity = password.capacity();
  WipeString(password);
  CHECK(AllZero(password_bytes, password_capacity));
  CHECK(secret["data"]["password"] == "");
  WipeJson(secret);
  CHECK(secret.is_null());
}

}  // namespace
}  // namespace fluxcpp::manifest
