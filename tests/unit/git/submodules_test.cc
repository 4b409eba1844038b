// Submodule URLs resolved against their parent's URL as git resolves them, and the credentials a
// submodule gets.
#include "lib/git/submodules.h"

#include <catch2/catch.hpp>

namespace fluxcpp::git {
namespace {

std::string Resolved(const std::string& parent, const std::string& url) {
  absl::StatusOr<std::string> resolved = ResolveSubmoduleUrl(parent, url);
  REQUIRE(resolved.ok());
  return *resolved;
}

TEST_CASE("absolute submodule URLs are kept as they are") {
  CHECK(Resolved("https://host/org/app.git", "ssh://git@other:2222/lib.git") ==
        "ssh://git@other:2222/lib.git");
  CHECK(Resolved("ssh://git@host/app.git", "https://other.example.com/x/lib") ==
        "https://other.example.com/x/lib");
  CHECK(Resolved("https://host/app.git", "git@github.com:org/lib.git") ==
        "git@github.com:org/lib.git");
  // A name without ./ or ../ is not relative for git either.
  CHECK(Resolved("https://host/org/app.git", "lib.git") == "lib.git");
}

TEST_CASE("../ removes one path component of the parent's URL") {
  CHECK(Resolved("https://host/org/app.git", "../lib.git") == "https://host/org/lib.git");
  CHECK(Resolved("https://host/org/app.git/", "../lib.git") == "https://host/org/lib.git");
  CHECK(Resolved("https://host:8443/git/org/app.git", "../../shared/lib.git") ==
        "https://host:8443/git/shared/lib.git");
  CHECK(Resolved("http://host/app", "../lib") == "http://host/lib");
  CHECK(Resolved("ssh://git@host:2222/org/app.git", "../lib.git") ==
        "ssh://git@host:2222/org/lib.git");
  // User info stays: the submodule is on the same server.
  CHECK(Resolved("https://user:secret@host/org/app.git", "../lib.git") ==
        "https://user:secret@host/org/lib.git");
}

TEST_CASE("./ resolves below the parent's URL") {
  CHECK(Resolved("https://host/org/app.git", "./lib.git") == "https://host/org/app.git/lib.git");
  CHECK(Resolved("https://host/org/app.git", "./.././lib.git") == "https://host/org/lib.git");
  CHECK(Resolved("https://host/org/app.git", "../lib.git/") == "https://host/org/lib.git");
}

TEST_CASE("scp-like parents keep their host part") {
  CHECK(Resolved("git@github.com:org/app.git", "../lib.git") == "git@github.com:org/lib.git");
  CHECK(Resolved("git@github.com:org/app.git", "../../lib.git") == "git@github.com:lib.git");
  CHECK(Resolved("git@host:/srv/git/app.git", "../lib.git") == "git@host:/srv/git/lib.git");
}

TEST_CASE("relative URLs that leave the server or name nothing are refused") {
  absl::StatusOr<std::string> above = ResolveSubmoduleUrl("https://host/app.git", "../../lib.git");
  REQUIRE_FALSE(above.ok());
  CHECK(above.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(above.status().message()).find("climbs above the host") != std::string::npos);
  CHECK(std::string(above.status().message()).find("../../lib.git") != std::string::npos);

  absl::StatusOr<std::string> nothing = ResolveSubmoduleUrl("https://host/org/app.git", "../");
  REQUIRE_FALSE(nothing.ok());
  CHECK(std::string(nothing.status().message()).find("names no repository") != std::string::npos);

  absl::StatusOr<std::string> secret =
      ResolveSubmoduleUrl("https://user:secret@host/app.git", "../../x");
  REQUIRE_FALSE(secret.ok());
  CHECK(std::string(secret.status().message()).find("secret") == std::string::npos);

  CHECK_FALSE(ResolveSubmoduleUrl("/srv/git/app.git", "../lib.git").ok());
}

AuthOptions FullAuth() {
  AuthOptions auth;
  auth.username = "user";
  auth.password = "secret";
  auth.ca_pem = "CA";
  auth.client_certificate_pem = "CERT";
  auth.client_key_pem = "KEY";
  auth.ssh_private_key = "PRIVATE";
  auth.known_hosts = "KNOWN";
  auth.allow_insecure_http = true;
  return auth;
}

TEST_CASE("a submodule on the parent's origin gets all of its credentials") {
  AuthOptions auth =
      SubmoduleAuth("https://Host:443/org/app.git", FullAuth(), "https://host/other/lib.git");
  CHECK(auth.username == "user");
  CHECK(auth.password == "secret");
  CHECK(auth.client_key_pem == "KEY");
  AuthOptions bearer = FullAuth();
  bearer.password.clear();
  bearer.bearer_token = "token";
  CHECK(SubmoduleAuth("https://host/app.git", bearer, "https://host/lib.git").bearer_token ==
        "token");
  CHECK(SubmoduleAuth("git@host:org/app.git", FullAuth(), "ssh://git@host/org/lib.git")
            .ssh_private_key == "PRIVATE");
}

TEST_CASE("secrets a server would see stay with their origin") {
  for (const char* other :
       {"https://other/lib.git", "https://host:8443/lib.git", "http://host/lib.git"}) {
    AuthOptions auth = SubmoduleAuth("https://host/app.git", FullAuth(), other);
    INFO(other);
    CHECK(auth.username.empty());
    CHECK(auth.password.empty());
    CHECK(auth.bearer_token.empty());
    CHECK(auth.client_certificate_pem.empty());
    CHECK(auth.client_key_pem.empty());
    // What only decides whom to trust, and the SSH key (never revealed), still apply.
    CHECK(auth.ca_pem == "CA");
    CHECK(auth.known_hosts == "KNOWN");
    CHECK(auth.ssh_private_key == "PRIVATE");
    CHECK(auth.allow_insecure_http);
  }
}

}  // namespace
}  // namespace fluxcpp::git
