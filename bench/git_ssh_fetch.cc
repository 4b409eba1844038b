// Times SSH fetches of a small repository against the test ground: each round opens a fresh bare
// mirror and fetches refs/heads/main into it (connect, handshake, authentication, ref
// advertisement, pack). Prints one line of key=value figures. Needs the ground's environment
// (GIT_SSH_KEY, GIT_KNOWN_HOSTS) and the URL of a seeded repository as the first argument.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "lib/git/mirror.h"

namespace {

std::string ReadFile(const char* path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

int main(int argc, char** argv) {
  const char* key = std::getenv("GIT_SSH_KEY");
  const char* known_hosts = std::getenv("GIT_KNOWN_HOSTS");
  if (argc < 2 || key == nullptr || known_hosts == nullptr) {
    std::fprintf(stderr, "usage: GIT_SSH_KEY=... GIT_KNOWN_HOSTS=... %s SSH_URL [ROUNDS]\n",
                 argv[0]);
    return 2;
  }
  int rounds = argc > 2 ? std::atoi(argv[2]) : 20;
  fluxcpp::git::AuthOptions auth;
  auth.ssh_private_key = ReadFile(key);
  auth.known_hosts = ReadFile(known_hosts);
  std::filesystem::path scratch =
      std::filesystem::temp_directory_path() / ("bench-git-ssh-" + std::to_string(getpid()));
  std::vector<double> milliseconds;
  size_t objects = 0;
  for (int round = 0; round < rounds; ++round) {
    std::filesystem::remove_all(scratch);
    auto started = std::chrono::steady_clock::now();
    auto mirror = fluxcpp::git::Mirror::Open(argv[1], scratch.string(), auth);
    if (!mirror.ok()) {
      std::fprintf(stderr, "%s\n", mirror.status().ToString().c_str());
      return 1;
    }
    auto fetched = (*mirror)->Fetch("refs/heads/main");
    if (!fetched.ok()) {
      std::fprintf(stderr, "%s\n", fetched.status().ToString().c_str());
      return 1;
    }
    objects = *fetched;
    milliseconds.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count());
  }
  std::filesystem::remove_all(scratch);
  std::sort(milliseconds.begin(), milliseconds.end());
  double total = 0;
  for (double value : milliseconds) total += value;
  std::printf("rounds=%d objects=%zu median_ms=%.1f mean_ms=%.1f min_ms=%.1f max_ms=%.1f\n", rounds,
              objects, milliseconds[milliseconds.size() / 2], total / rounds, milliseconds.front(),
              milliseconds.back());
  return 0;
}
