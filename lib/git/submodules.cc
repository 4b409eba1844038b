#include "lib/git/submodules.h"

#include <openssl/evp.h>

#include <filesystem>
#include <map>
#include <memory>
#include <system_error>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "lib/git/libgit2.h"
#include "lib/git/url.h"

namespace fluxcpp::git {
namespace {

namespace fs = std::filesystem;

using ConfigIteratorHandle =
    std::unique_ptr<git_config_iterator, GitFree<git_config_iterator_free>>;

bool IsRelativeUrl(absl::string_view url) {
  return absl::StartsWith(url, "./") || absl::StartsWith(url, "../");
}

// What a `.gitmodules` entry says about one submodule.
struct ModuleEntry {
  std::string path;
  std::string url;
};

// The entries of a `.gitmodules` file, by submodule name, read with libgit2's config parser.
// Only the file's own lines count: what an include.path could pull in is not the repository's.
absl::StatusOr<std::map<std::string, ModuleEntry>> ReadGitmodules(const fs::path& file,
                                                                  const std::string& shown) {
  std::map<std::string, ModuleEntry> modules;
  std::error_code error;
  fs::file_status status = fs::symlink_status(file, error);
  if (error || status.type() == fs::file_type::not_found) return modules;
  // Git refuses a symbolic link here too: it could point anywhere on the reconciler's disk.
  if (status.type() != fs::file_type::regular) {
    return absl::InvalidArgumentError(absl::StrCat(shown, " is not a regular file"));
  }
  git_config* raw_config = nullptr;
  if (int code = git_config_open_ondisk(&raw_config, file.c_str()); code < 0) {
    return absl::InvalidArgumentError(absl::StrCat("read ", shown, ": ", LastErrorMessage(code)));
  }
  ConfigHandle config(raw_config);
  git_config_iterator* raw_iterator = nullptr;
  if (int code = git_config_iterator_new(&raw_iterator, config.get()); code < 0) {
    return LocalError(code, "read " + shown);
  }
  ConfigIteratorHandle iterator(raw_iterator);
  git_config_entry* entry = nullptr;
  int code = 0;
  while ((code = git_config_next(&entry, iterator.get())) == 0) {
    if (entry->include_depth != 0) continue;
    // "submodule.<name>.path": the section and key are lower-cased by libgit2, the name is not.
    absl::string_view name = entry->name;
    if (!absl::ConsumePrefix(&name, "submodule.")) continue;
    size_t dot = name.rfind('.');
    if (dot == absl::string_view::npos || dot == 0) continue;
    absl::string_view key = name.substr(dot + 1);
    std::string module(name.substr(0, dot));
    if (key == "path") {
      modules[module].path = std::string(absl::StripSuffix(entry->value, "/"));
    } else if (key == "url") {
      modules[module].url = entry->value;
    }
  }
  if (code != GIT_ITEROVER) return LocalError(code, "read " + shown);
  return modules;
}

// The cache folder of one submodule URL: a hash, so any URL makes a safe folder name.
std::string CacheKey(const std::string& url) {
  std::string shown = RedactUrl(url);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(shown.data(), shown.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string key;
  for (unsigned int i = 0; i < 16 && i < length; ++i) {
    key.push_back(kHex[digest[i] >> 4]);
    key.push_back(kHex[digest[i] & 0xf]);
  }
  return key;
}

bool SameOrigin(absl::string_view first, absl::string_view second) {
  absl::StatusOr<RemoteUrl> a = ParseRemoteUrl(first);
  absl::StatusOr<RemoteUrl> b = ParseRemoteUrl(second);
  return a.ok() && b.ok() && a->scheme == b->scheme &&
         absl::AsciiStrToLower(a->host) == absl::AsciiStrToLower(b->host) && a->port == b->port;
}

// Writes the submodules of one repository's tree, then theirs.
class SubmoduleWriter {
 public:
  SubmoduleWriter(const Mirror& top, const SubmoduleOptions& options, fs::path root)
      : top_(top), options_(options), root_(std::move(root)) {}

  // `repository`'s tree at `commit` is written at `prefix` (empty for the root); it is nested
  // `depth` submodules deep.
  absl::Status WriteSubmodulesOf(const Mirror& repository, const std::string& commit,
                                 const std::string& prefix, int depth) {
    absl::StatusOr<std::vector<Gitlink>> gitlinks = repository.ListGitlinks(commit);
    if (!gitlinks.ok()) return gitlinks.status();
    if (gitlinks->empty()) return absl::OkStatus();
    std::string gitmodules_path = prefix.empty() ? ".gitmodules" : prefix + "/.gitmodules";
    absl::StatusOr<std::map<std::string, ModuleEntry>> modules =
        ReadGitmodules(root_ / gitmodules_path, gitmodules_path);
    if (!modules.ok()) return modules.status();
    for (const Gitlink& gitlink : *gitlinks) {
      std::string path = prefix.empty() ? gitlink.path : prefix + "/" + gitlink.path;
      if (depth + 1 > options_.max_depth) {
        return absl::FailedPreconditionError(absl::StrCat(
            "submodule '", path, "': submodules nest deeper than ", options_.max_depth, " levels"));
      }
      const ModuleEntry* module = nullptr;
      for (const auto& [name, entry] : *modules) {
        if (entry.path == gitlink.path) module = &entry;
      }
      if (module == nullptr || module->url.empty()) {
        return absl::NotFoundError(absl::StrCat("submodule '", path, "': ", gitmodules_path,
                                                " has no url for the path '", gitlink.path, "'"));
      }
      absl::StatusOr<std::unique_ptr<Mirror>> submodule =
          WriteOne(repository, *module, gitlink.commit, path);
      if (!submodule.ok()) return submodule.status();
      if (absl::Status status = WriteSubmodulesOf(**submodule, gitlink.commit, path, depth + 1);
          !status.ok()) {
        return status;
      }
    }
    return absl::OkStatus();
  }

  std::vector<WrittenSubmodule>& written() { return written_; }

 private:
  // Fetches the submodule's commit into its cached clone and writes its tree at `path`; errors
  // name the submodule.
  absl::StatusOr<std::unique_ptr<Mirror>> WriteOne(const Mirror& parent, const ModuleEntry& module,
                                                   const std::string& commit,
                                                   const std::string& path) {
    absl::StatusOr<std::string> url = ResolveSubmoduleUrl(parent.url(), module.url);
    std::string shown = RedactUrl(url.ok() ? *url : module.url);
    auto named = [&](const absl::Status& status) {
      return absl::Status(status.code(),
                          absl::StrCat("submodule '", path, "' (", shown, "): ", status.message()));
    };
    if (!url.ok()) return named(url.status());
    absl::StatusOr<RemoteUrl> parsed = ParseRemoteUrl(*url);
    if (!parsed.ok()) return named(parsed.status());
    if (parsed->scheme == "file") {
      return named(absl::InvalidArgumentError(
          "local paths and file:// URLs are not fetched for submodules; use ssh://, https:// or "
          "http://"));
    }
    AuthOptions auth = SubmoduleAuth(top_.url(), top_.auth(), *url);
    if (absl::Status valid = ValidateAuth(*url, auth); !valid.ok()) return named(valid);
    absl::StatusOr<std::unique_ptr<Mirror>> mirror =
        Mirror::Open(*url, (fs::path(options_.cache_directory) / CacheKey(*url)).string(), auth);
    if (!mirror.ok()) return named(mirror.status());
    size_t received = 0;
    if (!(*mirror)->HasCommit(commit)) {
      // Like `git submodule update`: the branches and tags first, then the commit itself.
      absl::StatusOr<size_t> all = (*mirror)->Fetch("", options_.deadline);
      if (!all.ok()) return named(all.status());
      received += *all;
      if (!(*mirror)->HasCommit(commit)) {
        absl::StatusOr<size_t> alone = (*mirror)->Fetch(commit, options_.deadline);
        if (!alone.ok() && alone.status().code() == absl::StatusCode::kDeadlineExceeded) {
          return named(alone.status());
        }
        if (alone.ok()) received += *alone;
        if (!alone.ok() || !(*mirror)->HasCommit(commit)) {
          return named(absl::NotFoundError(absl::StrCat(
              "the remote has no commit ", commit, " in any branch or tag",
              alone.ok()
                  ? ""
                  : absl::StrCat(", and fetching it alone failed: ", alone.status().message()))));
        }
      }
    }
    if (absl::Status written = (*mirror)->WriteTree(commit, (root_ / path).string());
        !written.ok()) {
      return named(written);
    }
    written_.push_back(
        {.path = path, .url = shown, .commit = commit, .received_objects = received});
    return mirror;
  }

  const Mirror& top_;
  const SubmoduleOptions& options_;
  fs::path root_;
  std::vector<WrittenSubmodule> written_;
};

}  // namespace

absl::StatusOr<std::string> ResolveSubmoduleUrl(absl::string_view parent_url,
                                                absl::string_view submodule_url) {
  if (!IsRelativeUrl(submodule_url)) return std::string(submodule_url);
  auto invalid = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("the relative submodule URL '", submodule_url,
                                                   "' ", why, " (next to ", RedactUrl(parent_url),
                                                   ")"));
  };
  // The part of the parent's URL that "../" may not remove ("https://host:port", "git@host:")
  // and the path it may.
  absl::string_view parent = absl::StripSuffix(parent_url, "/");
  std::string base;
  absl::string_view path;
  if (size_t scheme = parent.find("://"); scheme != absl::string_view::npos) {
    size_t slash = parent.find('/', scheme + 3);
    base = std::string(parent.substr(0, slash));
    if (slash != absl::string_view::npos) path = parent.substr(slash);
    base += "/";
  } else if (size_t colon = parent.find(':');
             colon != absl::string_view::npos &&
             parent.substr(0, colon).find('/') == absl::string_view::npos) {
    base = std::string(parent.substr(0, colon + 1));  // scp-like: "git@host:"
    path = parent.substr(colon + 1);
    if (absl::StartsWith(path, "/")) base += "/";  // "git@host:/srv/app.git" stays absolute
  } else {
    return invalid("cannot be resolved against a parent that is no network URL");
  }
  std::vector<std::string> components = absl::StrSplit(path, '/', absl::SkipEmpty());
  absl::string_view rest = submodule_url;
  while (true) {
    if (absl::ConsumePrefix(&rest, "./")) continue;
    if (absl::ConsumePrefix(&rest, "../")) {
      if (components.empty()) return invalid("climbs above the host");
      components.pop_back();
      continue;
    }
    break;
  }
  rest = absl::StripSuffix(rest, "/");
  if (rest.empty() || rest == "." || rest == "..") return invalid("names no repository");
  components.emplace_back(rest);
  return base + absl::StrJoin(components, "/");
}

AuthOptions SubmoduleAuth(absl::string_view top_url, const AuthOptions& top_auth,
                          absl::string_view submodule_url) {
  if (SameOrigin(top_url, submodule_url)) return top_auth;
  AuthOptions auth;
  auth.ssh_private_key = top_auth.ssh_private_key;
  auth.ssh_passphrase = top_auth.ssh_passphrase;
  auth.known_hosts = top_auth.known_hosts;
  auth.ssh_hostkey_algorithms = top_auth.ssh_hostkey_algorithms;
  auth.ca_pem = top_auth.ca_pem;
  auth.allow_insecure_http = top_auth.allow_insecure_http;
  return auth;
}

absl::StatusOr<std::vector<WrittenSubmodule>> WriteTreeWithSubmodules(
    const Mirror& mirror, const std::string& commit, const std::string& directory,
    const SubmoduleOptions& options) {
  if (absl::Status written = mirror.WriteTree(commit, directory); !written.ok()) return written;
  if (options.cache_directory.empty()) {
    return absl::InvalidArgumentError("submodules need a cache folder for their clones");
  }
  SubmoduleWriter writer(mirror, options, directory);
  if (absl::Status status = writer.WriteSubmodulesOf(mirror, commit, "", 0); !status.ok()) {
    return status;
  }
  return std::move(writer.written());
}

}  // namespace fluxcpp::git
