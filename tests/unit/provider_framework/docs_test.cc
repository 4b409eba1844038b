// GenerateDocs: the registry layout and the schema rendering. (That docs/ is up to date is the
// provider.docs test.)
#include "provider/framework/docs.h"

#include <catch2/catch.hpp>

#include "provider/flux/provider.h"

namespace fluxcpp::provider::framework {
namespace {

TEST_CASE("pages follow the registry layout, without the provider prefix") {
  auto provider = flux::MakeProvider({.test_resources = true});
  const auto pages = GenerateDocs(*provider, flux::Docs());
  CHECK(pages.contains("index.md"));
  CHECK(pages.contains("data-sources/install.md"));
  CHECK(pages.contains("data-sources/sync.md"));
  CHECK(pages.contains("functions/parse_revision.md"));
  REQUIRE(pages.contains("resources/test_object.md"));
  CHECK(GenerateDocs(*provider, flux::Docs()) == pages);  // deterministic
}

TEST_CASE("the schema section groups attributes and links nested schemas") {
  auto provider = flux::MakeProvider({.test_resources = true});
  const std::string page = GenerateDocs(*provider, flux::Docs()).at("resources/test_object.md");
  CHECK_THAT(page, Catch::StartsWith("---\npage_title: \"flux_test_object Resource - "
                                     "terraform-provider-flux\"\n"));
  CHECK_THAT(page, Catch::Contains("### Required\n\n- `name` (String)"));
  CHECK_THAT(page, Catch::Contains("Changing it replaces the resource."));
  CHECK_THAT(page, Catch::Contains("- `secret` (String, Sensitive)"));
  CHECK_THAT(page, Catch::Contains("- `size` (Number) A number with a default. Defaults to `3`."));
  CHECK_THAT(page, Catch::Contains("### Read-Only\n\n- `created_at` (String)"));
  CHECK_THAT(page, Catch::Contains("(see [below for nested schema](#nestedatt--settings))"));
  CHECK_THAT(page, Catch::Contains("<a id=\"nestedatt--timeouts\"></a>\n### Nested Schema for "
                                   "`timeouts`\n\nOptional:\n\n- `create` (String)"));
  CHECK_THAT(page, Catch::Contains("Defaults to `2m`."));
}

}  // namespace
}  // namespace fluxcpp::provider::framework
