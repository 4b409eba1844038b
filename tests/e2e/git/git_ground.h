// The Git server of the test ground for lib/git's end-to-end tests: a fresh repository per test and
// the credentials the ground hands out.
#pragma once

#include <string>

#include "lib/git/auth.h"
#include "lib/git/repository.h"
#include "tests/e2e/support/ground.h"

namespace fluxcpp::testing {

struct GroundRepository {
  std::string name;
  std::string ssh_url;
  std::string https_url;
  std::string http_url;
  std::string token_url;         // HTTPS with a bearer token (GroundTokenAuth)
  std::string public_https_url;  // HTTPS without credentials
  std::string mtls_url;          // HTTPS with a client certificate (GroundMtlsAuth)
};

// An empty repository "<prefix>-<random>" made by `ground repo`.
GroundRepository NewGroundRepository(const std::string& prefix);

// The ground's SSH client key and known_hosts.
git::AuthOptions GroundSshAuth();
// The ground's CA, user name and password.
git::AuthOptions GroundHttpsAuth();
// The ground's CA and bearer token, for token_url.
git::AuthOptions GroundTokenAuth();
// The ground's CA and client certificate with its key, for mtls_url.
git::AuthOptions GroundMtlsAuth();

// A variable of the ground's environment; fails the test when it is missing.
std::string GroundEnv(const char* name);
std::string ReadTextFile(const std::string& path);

// Writes `file` (its content is its name and a newline), commits and pushes it; returns the pushed
// commit. Fails the test on any error.
std::string CommitAndPush(git::Repository& repository, const std::string& file);

}  // namespace fluxcpp::testing
