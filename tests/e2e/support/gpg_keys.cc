#include "tests/e2e/support/gpg_keys.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fluxcpp::testing {
namespace {

std::string NewHome(const ScratchDirectory& dir, const std::string& name) {
  std::string home = dir.path() + "/gnupg-" + name;
  std::filesystem::create_directories(home);
  std::filesystem::permissions(home, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace);
  // The agent otherwise calibrates the passphrase hashing first, which makes every protected test
  // key cost seconds on a busy machine; tests need no strong key stretching.
  std::ofstream(home + "/gpg-agent.conf") << "s2k-count 65536\n";
  return home;
}

std::string Gpg(const std::string& home, const std::string& arguments) {
  return "gpg --homedir " + ShellQuote(home) + " --batch --no-tty --pinentry-mode loopback " +
         arguments;
}

void StopAgent(const std::string& home) {
  RunCommand("gpgconf --homedir " + ShellQuote(home) + " --kill gpg-agent 2>/dev/null");
}

}  // namespace

GpgKey MakeGpgKey(const ScratchDirectory& dir, const std::string& name,
                  const GpgKeyOptions& options) {
  const std::string home = NewHome(dir, name);
  const std::string passphrase = "--passphrase " + ShellQuote(options.passphrase) + " ";
  const std::string faked_time =
      options.created.empty() ? "" : "--faked-system-time " + options.created + " ";
  CommandRun generated =
      RunCommand(Gpg(home, passphrase + faked_time + "--quick-gen-key " +
                               ShellQuote(name + " <" + name + "@fluxcpp.test>") +
                               " ed25519 sign " + options.expire + " 2>&1"));
  INFO(generated.output);
  REQUIRE(generated.exit_code == 0);
  GpgKey key;
  key.passphrase = options.passphrase;
  std::istringstream listing(Shell(Gpg(home, "--with-colons --list-secret-keys 2>/dev/null")));
  for (std::string line; std::getline(listing, line);) {
    if (line.rfind("sec:", 0) == 0) {
      std::vector<std::string> fields;
      std::stringstream split(line);
      for (std::string field; std::getline(split, field, ':');) fields.push_back(field);
      REQUIRE(fields.size() > 4);
      key.key_id = fields[4];
      break;
    }
  }
  REQUIRE(key.key_id.size() == 16);
  key.armored_secret =
      Shell(Gpg(home, passphrase + "--armor --export-secret-keys " + key.key_id + " 2>/dev/null"));
  key.armored_public = Shell(Gpg(home, "--armor --export " + key.key_id + " 2>/dev/null"));
  REQUIRE(key.armored_secret.find("BEGIN PGP PRIVATE KEY BLOCK") != std::string::npos);
  StopAgent(home);
  return key;
}

std::string VerifyingGnupgHome(const ScratchDirectory& dir, const std::string& name,
                               const GpgKey& key) {
  const std::string home = NewHome(dir, name);
  std::string file = dir.Write(name + "-public.asc", key.armored_public);
  Shell(Gpg(home, "--import " + ShellQuote(file) + " 2>/dev/null"));
  return home;
}

CommandRun VerifyCommit(const std::string& repository_dir, const std::string& commit,
                        const std::string& gnupg_home) {
  CommandRun run =
      RunCommand("GNUPGHOME=" + ShellQuote(gnupg_home) + " git -C " + ShellQuote(repository_dir) +
                 " verify-commit --raw " + ShellQuote(commit) + " 2>&1");
  StopAgent(gnupg_home);
  return run;
}

}  // namespace fluxcpp::testing
