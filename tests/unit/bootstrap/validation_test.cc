#include "bootstrap/validation.h"

#include <catch2/catch.hpp>

namespace fluxcpp::bootstrap {
namespace {

TEST_CASE("RFC 1123 labels and subdomains") {
  CHECK(IsDns1123Label("flux-system"));
  CHECK(IsDns1123Label("a"));
  CHECK(IsDns1123Label(std::string(63, 'a')));
  CHECK_FALSE(IsDns1123Label(std::string(64, 'a')));
  CHECK_FALSE(IsDns1123Label(""));
  CHECK_FALSE(IsDns1123Label("Flux"));
  CHECK_FALSE(IsDns1123Label("-flux"));
  CHECK_FALSE(IsDns1123Label("flux-"));
  CHECK_FALSE(IsDns1123Label("flux.system"));

  CHECK(IsDns1123Subdomain("cluster.local"));
  CHECK(IsDns1123Subdomain("regcred"));
  CHECK_FALSE(IsDns1123Subdomain("cluster..local"));
  CHECK_FALSE(IsDns1123Subdomain(".local"));
  CHECK_FALSE(IsDns1123Subdomain("reg_cred"));
  CHECK_FALSE(IsDns1123Subdomain(std::string(254, 'a')));
}

TEST_CASE("taint keys are qualified names with an optional DNS prefix") {
  CHECK(IsQualifiedName("dedicated"));
  CHECK(IsQualifiedName("node-role.kubernetes.io/control-plane"));
  CHECK(IsQualifiedName("Example_Key.1"));
  CHECK_FALSE(IsQualifiedName(""));
  CHECK_FALSE(IsQualifiedName("/name"));
  CHECK_FALSE(IsQualifiedName("Bad.Prefix/name"));
  CHECK_FALSE(IsQualifiedName("-leading"));
  CHECK_FALSE(IsQualifiedName("with space"));
}

TEST_CASE("durations follow the pattern of Flux's interval fields") {
  for (const char* valid : {"1m0s", "10m0s", "30s", "1h", "500ms", "1.5h", "2h45m30s"}) {
    INFO(valid);
    CHECK(IsFluxDuration(valid));
  }
  for (const char* invalid : {"", "often", "1", "1d", "m", "1.m", "-1m", "1m ", "1 m", "1.5"}) {
    INFO(invalid);
    CHECK_FALSE(IsFluxDuration(invalid));
  }
}

TEST_CASE("Flux durations have a length") {
  using std::chrono::milliseconds;
  CHECK(ParseFluxDuration("90s") == milliseconds(90'000));
  CHECK(ParseFluxDuration("1m30s") == milliseconds(90'000));
  CHECK(ParseFluxDuration("1h") == milliseconds(3'600'000));
  CHECK(ParseFluxDuration("1.5m") == milliseconds(90'000));
  CHECK(ParseFluxDuration("500ms") == milliseconds(500));
  CHECK(ParseFluxDuration("2m500ms") == milliseconds(120'500));
  CHECK_FALSE(ParseFluxDuration("soon").has_value());
  CHECK_FALSE(ParseFluxDuration("").has_value());
}

TEST_CASE("URL schemes and scp-like addresses") {
  CHECK(UrlScheme("ssh://git@host/repo") == "ssh");
  CHECK(UrlScheme("HTTPS://host/repo") == "https");
  CHECK(UrlScheme("git@host:repo") == "");
  CHECK(UrlScheme("://host") == "");

  CHECK(IsScpLikeAddress("git@github.com:org/repo.git"));
  CHECK(IsScpLikeAddress("host:repo"));
  CHECK_FALSE(IsScpLikeAddress("ssh://git@github.com/org/repo.git"));
  CHECK_FALSE(IsScpLikeAddress("./local/path:with-colon"));
  CHECK(ScpLikeToSshUrl("git@github.com:org/repo.git") == "ssh://git@github.com/org/repo.git");
  CHECK(ScpLikeToSshUrl("git@host:/srv/repo") == "ssh://git@host/srv/repo");
}

TEST_CASE("URLs in messages lose their passwords") {
  CHECK(RedactUrl("https://user:s3cret@host/repo") == "https://user:redacted@host/repo");
  CHECK(RedactUrl("https://host/repo?a=b@c") == "https://host/repo?a=b@c");
  CHECK(RedactUrl("ssh://git@host/repo") == "ssh://git@host/repo");
  CHECK(RedactUrl("ftp://u:p@host") == "ftp://u:redacted@host");
}

}  // namespace
}  // namespace fluxcpp::bootstrap
