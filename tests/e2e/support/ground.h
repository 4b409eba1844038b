// Access to the running test ground (tests/env/ground) for Catch2 end-to-end tests: its admin
// kubeconfig, namespaces that live for one test, and the ground's own commands.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "lib/kube/client.h"
#include "lib/kube/config.h"

namespace fluxcpp::testing {

// The ground's admin configuration (KUBECONFIG); fails the current test when no ground is running.
kube::ClusterConfig AdminConfig();
std::unique_ptr<kube::Client> AdminClient();

// What a shell command did: its exit status (-1 when it did not exit normally) and what it printed.
struct CommandRun {
  int exit_code = -1;
  std::string output;  // standard output, and standard error when the command redirects it there
};

// Runs a shell command through popen and collects its standard output; never fails the test.
CommandRun RunCommand(const std::string& command);

// Runs a shell command and returns its standard output; fails the test when the command fails.
std::string Shell(const std::string& command);

// Single-quotes `text` for the shell.
std::string ShellQuote(const std::string& text);

// Runs `tests/env/ground ARGS...` and returns its standard output; fails the test when it fails.
std::string RunGround(const std::vector<std::string>& args);

// `length` random lowercase letters and digits, for names that must not clash between runs.
std::string RandomSuffix(int length = 6);

// A Namespace made for one test (a unique name from `prefix`), deleted when the scope ends.
class ScopedNamespace {
 public:
  ScopedNamespace(kube::Client& client, const std::string& prefix);
  ScopedNamespace(const ScopedNamespace&) = delete;
  ScopedNamespace& operator=(const ScopedNamespace&) = delete;
  ~ScopedNamespace();
  const std::string& name() const { return name_; }

 private:
  kube::Client& client_;
  std::string name_;
};

// A token of a ServiceAccount, from the TokenRequest API.
std::string ServiceAccountToken(kube::Client& client, const std::string& namespace_name,
                                const std::string& service_account);

// The user the server sees for `client` (a SelfSubjectReview).
std::string WhoAmI(kube::Client& client);

// A fresh folder under the system's temporary folder, removed when the scope ends.
class ScratchDirectory {
 public:
  ScratchDirectory();
  // Under `parent` instead, e.g. /var/tmp for paths a test must keep outside a pod's /tmp mount.
  explicit ScratchDirectory(const std::string& parent);
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;
  ~ScratchDirectory();
  const std::string& path() const { return path_; }
  // Writes `content` to path()/name and returns the file's path.
  std::string Write(const std::string& name, const std::string& content, int mode = 0644) const;

 private:
  std::string path_;
};

}  // namespace fluxcpp::testing
