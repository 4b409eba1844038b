#include "reconciler/artifact/server.h"

#include <httplib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>

namespace fluxcpp::reconciler::artifact {
namespace {

namespace fs = std::filesystem;

TEST_CASE("the artifact server serves the storage root read-only") {
  std::random_device device;
  fs::path root = fs::temp_directory_path() / ("artifact-server-" + std::to_string(device()));
  fs::create_directories(root / "gitrepository/ns/name");
  std::ofstream(root / "gitrepository/ns/name/abc.tar.gz") << "archive bytes";
  {
    ArtifactServer server(root.string(), "127.0.0.1:0");
    REQUIRE(server.Start().ok());
    REQUIRE(server.port() > 0);
    httplib::Client client("127.0.0.1", server.port());
    auto found = client.Get("/gitrepository/ns/name/abc.tar.gz");
    REQUIRE(found);
    CHECK(found->status == 200);
    CHECK(found->body == "archive bytes");
    auto missing = client.Get("/gitrepository/ns/name/none.tar.gz");
    REQUIRE(missing);
    CHECK(missing->status == 404);
    auto escape = client.Get("/../../etc/passwd");
    REQUIRE(escape);
    CHECK(escape->status != 200);
    auto upload = client.Post("/gitrepository/ns/name/new.tar.gz", "x", "text/plain");
    REQUIRE(upload);
    CHECK(upload->status >= 400);
    CHECK(!fs::exists(root / "gitrepository/ns/name/new.tar.gz"));
    server.Stop();
    CHECK(!client.Get("/gitrepository/ns/name/abc.tar.gz"));
  }
  {
    ArtifactServer bad(root.string(), "127.0.0.1:notaport");
    CHECK(!bad.Start().ok());
  }
  fs::remove_all(root);
}

}  // namespace
}  // namespace fluxcpp::reconciler::artifact
