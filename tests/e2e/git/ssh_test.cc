// Clone, commit and push over SSH against the ground's sshd, with the host key checked strictly
// against known_hosts, and every way the SSH handshake can be refused.
#include <catch2/catch.hpp>
#include <chrono>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/git/mirror.h"
#include "lib/git/repository.h"
#include "lib/git/url.h"
#include "tests/e2e/git/git_ground.h"
#include "tests/e2e/support/ground.h"

namespace fluxcpp::git {
namespace {

using fluxcpp::testing::GroundEnv;
using fluxcpp::testing::GroundSshAuth;
using fluxcpp::testing::NewGroundRepository;
using fluxcpp::testing::ReadTextFile;
using fluxcpp::testing::RunGround;
using fluxcpp::testing::ScratchDirectory;
using fluxcpp::testing::Shell;

// "[127.0.0.1]:PORT", as known_hosts and our errors name the ground's SSH server.
std::string SshHost(const std::string& url) {
  auto parsed = ParseRemoteUrl(url);
  REQUIRE(parsed.ok());
  return absl::StrCat("[", parsed->host, "]:", parsed->port);
}

// The public half of a fresh key of `type`, as "TYPE BASE64".
std::string StrangerPublicKey(const ScratchDirectory& scratch, const std::string& type) {
  std::string path = scratch.path() + "/stranger_" + type;
  Shell(absl::StrCat("ssh-keygen -q -t ", type, " -N '' -f ", path));
  return Shell(absl::StrCat("cut -d' ' -f1,2 ", path, ".pub"));
}

TEST_CASE("clone, commit and push over SSH with strict known_hosts") {
  auto repository = NewGroundRepository("ssh-push");
  std::string seeded =
      RunGround({"seed", repository.name, std::string(TESTDATA_DIR) + "/seed"}).substr(0, 40);
  ScratchDirectory scratch;
  auto clone =
      Repository::Clone(repository.ssh_url, scratch.path() + "/tree", {.auth = GroundSshAuth()});
  INFO(clone.status().ToString());
  REQUIRE(clone.ok());
  CHECK(*(*clone)->Head() == seeded);
  auto seeded_file = (*clone)->ReadFile("apps/configmap.yaml");
  REQUIRE(seeded_file.ok());
  CHECK_THAT(*seeded_file, Catch::Contains("name: seeded"));

  REQUIRE((*clone)->WriteFile("clusters/prod/sync.yaml", "kind: Kustomization\n").ok());
  auto commit = (*clone)->Commit(
      {.author_name = "Flux", .author_email = "flux@example.com", .message = "Add sync"});
  INFO(commit.status().ToString());
  REQUIRE(commit.ok());
  CHECK(commit->created);
  CHECK(commit->sha.size() == 40);
  auto pushed = (*clone)->Push();
  INFO(pushed.status().ToString());
  REQUIRE(pushed.ok());
  CHECK(pushed->sha == commit->sha);
  CHECK(pushed->reapplied == 0);
  CHECK(RunGround({"read", repository.name, "main", "clusters/prod/sync.yaml"}) ==
        "kind: Kustomization\n");

  SECTION("nothing to commit leaves the head alone") {
    auto again = (*clone)->Commit(
        {.author_name = "Flux", .author_email = "flux@example.com", .message = "No change"});
    REQUIRE(again.ok());
    CHECK_FALSE(again->created);
    CHECK(again->sha == commit->sha);
  }
  SECTION("a deleted file is committed as deleted") {
    REQUIRE((*clone)->RemoveFile("apps/configmap.yaml").ok());
    REQUIRE((*clone)
                ->Commit({.author_name = "Flux",
                          .author_email = "flux@example.com",
                          .message = "Remove the config map"})
                .ok());
    REQUIRE((*clone)->Push().ok());
    CHECK(RunGround({"read", repository.name, "main"}) == "clusters/prod/sync.yaml\n");
  }
}

TEST_CASE("an SSH key the server does not authorize is refused") {
  auto repository = NewGroundRepository("ssh-wrong-key");
  ScratchDirectory scratch;
  Shell("ssh-keygen -q -t ed25519 -N '' -f " + scratch.path() + "/stranger");
  AuthOptions auth = GroundSshAuth();
  auth.ssh_private_key = ReadTextFile(scratch.path() + "/stranger");
  auto clone = Repository::Clone(repository.ssh_url, scratch.path() + "/tree", {.auth = auth});
  REQUIRE_FALSE(clone.ok());
  CHECK(clone.status().code() == absl::StatusCode::kUnauthenticated);
  CHECK_THAT(std::string(clone.status().message()),
             Catch::Contains(repository.ssh_url) && Catch::Contains("refused the private key"));
  auto listed = LsRemote(repository.ssh_url, "main", auth);
  CHECK(listed.status().code() == absl::StatusCode::kUnauthenticated);
}

TEST_CASE("an encrypted SSH key is used with its passphrase") {
  auto repository = NewGroundRepository("ssh-passphrase");
  ScratchDirectory scratch;
  std::string key = scratch.Write("key", ReadTextFile(GroundEnv("GIT_SSH_KEY")), 0600);
  Shell("ssh-keygen -q -p -P '' -N 'correct horse battery' -f " + key);
  AuthOptions auth = GroundSshAuth();
  auth.ssh_private_key = ReadTextFile(key);
  REQUIRE_THAT(auth.ssh_private_key, Catch::Contains("OPENSSH PRIVATE KEY"));

  auth.ssh_passphrase = "correct horse battery";
  auto listed = LsRemote(repository.ssh_url, "main", auth);
  INFO(listed.status().ToString());
  REQUIRE(listed.ok());
  CHECK_FALSE(listed->has_value());

  ScratchDirectory clone_scratch;
  auto clone =
      Repository::Clone(repository.ssh_url, clone_scratch.path() + "/tree", {.auth = auth});
  INFO(clone.status().ToString());
  REQUIRE(clone.ok());
  fluxcpp::testing::CommitAndPush(**clone, "pushed-with-encrypted-key.txt");
  CHECK(RunGround({"read", repository.name, "main", "pushed-with-encrypted-key.txt"}) ==
        "pushed-with-encrypted-key.txt\n");

  auth.ssh_passphrase = "wrong staple";
  listed = LsRemote(repository.ssh_url, "main", auth);
  REQUIRE_FALSE(listed.ok());
  INFO(listed.status().ToString());
  CHECK(listed.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(listed.status().message()), Catch::Contains(repository.ssh_url) &&
                                                         Catch::Contains("wrong passphrase") &&
                                                         !Catch::Contains("wrong staple"));

  auth.ssh_passphrase.clear();
  listed = LsRemote(repository.ssh_url, "main", auth);
  REQUIRE_FALSE(listed.ok());
  INFO(listed.status().ToString());
  CHECK_THAT(std::string(listed.status().message()),
             Catch::Contains("encrypted and no passphrase was given"));
}

TEST_CASE("an unknown SSH host is refused, naming the host") {
  auto repository = NewGroundRepository("ssh-unknown-host");
  ScratchDirectory scratch;
  std::string host = SshHost(repository.ssh_url);
  std::string real_keys = Shell("cut -d' ' -f2,3 " + GroundEnv("GIT_KNOWN_HOSTS"));
  AuthOptions auth = GroundSshAuth();

  SECTION("known_hosts names other hosts only") {
    auth.known_hosts = "[192.0.2.1]:22 " + real_keys.substr(0, real_keys.find('\n')) + "\n";
  }
  SECTION("a plain host entry covers port 22 only, as in OpenSSH") {
    auth.known_hosts.clear();
    std::string line;
    std::istringstream keys(real_keys);
    while (std::getline(keys, line)) auth.known_hosts += "127.0.0.1 " + line + "\n";
  }
  auto clone = Repository::Clone(repository.ssh_url, scratch.path() + "/tree", {.auth = auth});
  REQUIRE_FALSE(clone.ok());
  INFO(clone.status().ToString());
  CHECK(clone.status().code() == absl::StatusCode::kUnauthenticated);
  CHECK_THAT(std::string(clone.status().message()),
             Catch::Contains("host key verification failed for " + host) &&
                 Catch::Contains("not in known_hosts"));
}

TEST_CASE("a host key that differs from known_hosts is refused, naming the host") {
  auto repository = NewGroundRepository("ssh-mismatch");
  ScratchDirectory scratch;
  std::string host = SshHost(repository.ssh_url);
  AuthOptions auth = GroundSshAuth();
  auth.known_hosts.clear();
  for (const char* type : {"ed25519", "ecdsa", "rsa"}) {
    auth.known_hosts += host + " " + StrangerPublicKey(scratch, type);
  }
  auto listed = LsRemote(repository.ssh_url, "main", auth);
  REQUIRE_FALSE(listed.ok());
  INFO(listed.status().ToString());
  CHECK(listed.status().code() == absl::StatusCode::kUnauthenticated);
  CHECK_THAT(std::string(listed.status().message()),
             Catch::Contains("host key verification failed for " + host) &&
                 Catch::Contains("the server presented") && Catch::Contains("SHA256:"));
}

TEST_CASE("known_hosts forms: hashed names, one key type") {
  auto repository = NewGroundRepository("ssh-known-hosts");
  ScratchDirectory scratch;
  AuthOptions auth = GroundSshAuth();
  SECTION("hashed host names") {
    std::string file = scratch.Write("known_hosts", auth.known_hosts);
    Shell("ssh-keygen -q -H -f " + file + " 2>&1");
    auth.known_hosts = ReadTextFile(file);
    REQUIRE_THAT(auth.known_hosts, Catch::StartsWith("|1|"));
  }
  SECTION("only the ECDSA key, the type libssh2 asks for first") {
    auth.known_hosts = Shell("grep ecdsa-sha2-nistp256 " + GroundEnv("GIT_KNOWN_HOSTS"));
  }
  auto listed = LsRemote(repository.ssh_url, "main", auth);
  INFO(listed.status().ToString());
  CHECK(listed.ok());
}

// The client asks for the host key types known_hosts holds, so a server with several host keys
// (the ground's sshd has ed25519, ECDSA and RSA ones) presents one that can be checked.
TEST_CASE("known_hosts with one key type of several is enough") {
  auto repository = NewGroundRepository("ssh-key-type");
  AuthOptions auth = GroundSshAuth();
  SECTION("ed25519") {
    auth.known_hosts = Shell("grep ssh-ed25519 " + GroundEnv("GIT_KNOWN_HOSTS"));
  }
  SECTION("ECDSA") {
    auth.known_hosts = Shell("grep ecdsa-sha2-nistp256 " + GroundEnv("GIT_KNOWN_HOSTS"));
  }
  auto listed = LsRemote(repository.ssh_url, "main", auth);
  INFO(listed.status().ToString());
  CHECK(listed.ok());
}

TEST_CASE("host key algorithms: one the server offers is used, none it offers is an error") {
  auto repository = NewGroundRepository("ssh-hostkey-algos");
  std::string host = SshHost(repository.ssh_url);
  AuthOptions auth = GroundSshAuth();

  SECTION("offered algorithms work, each checked against its known_hosts entry") {
    // libssh2 1.10 signs RSA host keys with SHA-1 only ("ssh-rsa"), which OpenSSH refuses.
    for (std::vector<std::string> algorithms : {std::vector<std::string>{"ssh-ed25519"},
                                                {"ecdsa-sha2-nistp256"},
                                                {"ecdsa-sha2-nistp384", "ssh-ed25519"}}) {
      auth.ssh_hostkey_algorithms = algorithms;
      auto listed = LsRemote(repository.ssh_url, "main", auth);
      INFO(algorithms[0] << ": " << listed.status().ToString());
      CHECK(listed.ok());
    }
  }
  SECTION("an algorithm the server does not offer fails naming the algorithms") {
    // The ground's ECDSA host key is a nistp256 one.
    auth.ssh_hostkey_algorithms = {"ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"};
    auto listed = LsRemote(repository.ssh_url, "main", auth);
    REQUIRE_FALSE(listed.ok());
    INFO(listed.status().ToString());
    CHECK(listed.status().code() == absl::StatusCode::kFailedPrecondition);
    CHECK_THAT(
        std::string(listed.status().message()),
        Catch::Contains(repository.ssh_url) && Catch::Contains(host) &&
            Catch::Contains(
                "offers none of the host key algorithms ecdsa-sha2-nistp384,ecdsa-sha2-nistp521"));
  }
  SECTION("names this client does not know fail naming them") {
    auth.ssh_hostkey_algorithms = {"made-up-algorithm"};
    auto listed = LsRemote(repository.ssh_url, "main", auth);
    REQUIRE_FALSE(listed.ok());
    INFO(listed.status().ToString());
    CHECK(listed.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(listed.status().message()),
               Catch::Contains("none of the SSH host key algorithms made-up-algorithm"));
  }
  SECTION("an algorithm whose key known_hosts lacks is refused, saying which type to add") {
    auth.known_hosts = Shell("grep ssh-ed25519 " + GroundEnv("GIT_KNOWN_HOSTS"));
    auth.ssh_hostkey_algorithms = {"ecdsa-sha2-nistp256"};
    auto listed = LsRemote(repository.ssh_url, "main", auth);
    REQUIRE_FALSE(listed.ok());
    INFO(listed.status().ToString());
    CHECK(listed.status().code() == absl::StatusCode::kUnauthenticated);
    CHECK_THAT(std::string(listed.status().message()),
               Catch::Contains("the server presented ecdsa-sha2-nistp256") &&
                   Catch::Contains("known_hosts has no ecdsa-sha2-nistp256 key for this host"));
  }
}

TEST_CASE("fetch, ls-remote and mirror fetch over SSH") {
  auto repository = NewGroundRepository("ssh-fetch");
  std::string seeded =
      RunGround({"seed", repository.name, std::string(TESTDATA_DIR) + "/seed"}).substr(0, 40);
  ScratchDirectory scratch;
  auto reader =
      Repository::Clone(repository.ssh_url, scratch.path() + "/reader", {.auth = GroundSshAuth()});
  REQUIRE(reader.ok());
  auto writer =
      Repository::Clone(repository.ssh_url, scratch.path() + "/writer", {.auth = GroundSshAuth()});
  REQUIRE(writer.ok());
  std::string pushed = fluxcpp::testing::CommitAndPush(**writer, "new-file.txt");
  CHECK(pushed != seeded);

  auto fetched = (*reader)->Fetch();
  INFO(fetched.status().ToString());
  REQUIRE(fetched.ok());
  CHECK(*fetched == pushed);

  auto listed = LsRemote(repository.ssh_url, "main", GroundSshAuth());
  REQUIRE(listed.ok());
  CHECK(*listed == std::optional<std::string>(pushed));
  auto refs = ListRemoteRefs(repository.ssh_url, GroundSshAuth(),
                             std::chrono::steady_clock::now() + std::chrono::seconds(20));
  REQUIRE(refs.ok());
  bool found = false;
  for (const RemoteRef& ref : *refs)
    found = found || (ref.name == "refs/heads/main" && ref.commit == pushed);
  CHECK(found);

  auto mirror = Mirror::Open(repository.ssh_url, scratch.path() + "/mirror", GroundSshAuth());
  REQUIRE(mirror.ok());
  auto objects = (*mirror)->Fetch("refs/heads/main",
                                  std::chrono::steady_clock::now() + std::chrono::seconds(20));
  INFO(objects.status().ToString());
  REQUIRE(objects.ok());
  CHECK(*objects > 0);
  CHECK((*mirror)->HasCommit(pushed));
  REQUIRE((*mirror)->WriteTree(pushed, scratch.path() + "/tree").ok());
  CHECK(ReadTextFile(scratch.path() + "/tree/new-file.txt") == "new-file.txt\n");
}

TEST_CASE("a repository the SSH server does not have fails with the server's reason") {
  auto listed =
      LsRemote(NewGroundRepository("ssh-missing").ssh_url + "-not-there", "main", GroundSshAuth());
  REQUIRE_FALSE(listed.ok());
  INFO(listed.status().ToString());
  CHECK_THAT(
      std::string(listed.status().message()),
      Catch::Contains("[127.0.0.1]:") && Catch::Contains("does not appear to be a git repository"));
}

}  // namespace
}  // namespace fluxcpp::git
