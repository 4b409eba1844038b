// The pure parts of the SSH transport: the remote command and whether a private key is encrypted.
// The conversation itself is tested against the ground's sshd (tests/e2e/git/ssh_test.cc).
#include "lib/git/ssh_transport.h"

#include <catch2/catch.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace fluxcpp::git {
namespace {

TEST_CASE("the repository path is single-quoted for the server's shell, as git does") {
  CHECK(SshGitCommand("git-upload-pack", "/fleet.git") == "git-upload-pack '/fleet.git'");
  CHECK(SshGitCommand("git-receive-pack", "org/fleet.git") == "git-receive-pack 'org/fleet.git'");
  CHECK(SshGitCommand("git-upload-pack", "/it's here!.git") ==
        "git-upload-pack '/it'\\''s here'\\!'.git'");
  CHECK(SshGitCommand("git-upload-pack", "/my repo;rm -rf /") ==
        "git-upload-pack '/my repo;rm -rf /'");
  // ssh://host/~user/repo is relative to the user's home.
  CHECK(SshGitCommand("git-upload-pack", "/~alice/fleet.git") ==
        "git-upload-pack '~alice/fleet.git'");
}

// An OpenSSH private key text with the given cipher name, as ssh-keygen writes the header.
std::string OpenSshKey(const std::string& cipher) {
  std::string body("openssh-key-v1\0", 15);
  uint32_t size = static_cast<uint32_t>(cipher.size());
  for (int shift : {24, 16, 8, 0}) body += static_cast<char>(size >> shift);
  body += cipher + std::string(40, 'x');
  return absl::StrCat("-----BEGIN OPENSSH PRIVATE KEY-----\n", absl::Base64Escape(body),
                      "\n-----END OPENSSH PRIVATE KEY-----\n");
}

TEST_CASE("encrypted private keys are recognised in OpenSSH and PEM form") {
  CHECK_FALSE(SshPrivateKeyIsEncrypted(OpenSshKey("none")));
  CHECK(SshPrivateKeyIsEncrypted(OpenSshKey("aes256-ctr")));
  CHECK(
      SshPrivateKeyIsEncrypted("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: "
                               "AES-128-CBC,00\n\nAAAA\n"));
  CHECK(SshPrivateKeyIsEncrypted("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n"));
  CHECK_FALSE(SshPrivateKeyIsEncrypted("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n"));
  CHECK_FALSE(SshPrivateKeyIsEncrypted("not a key"));
}

}  // namespace
}  // namespace fluxcpp::git
