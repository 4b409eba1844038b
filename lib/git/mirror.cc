#include "lib/git/mirror.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <system_error>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "lib/git/libgit2.h"
#include "lib/git/remote_session.h"
#include "lib/git/semver.h"

namespace fluxcpp::git {
namespace {

namespace fs = std::filesystem;

using BlobHandle = std::unique_ptr<git_blob, GitFree<git_blob_free>>;

// Fetched refs live in their own namespace of the bare clone, so they never look like branches
// of ours and keep their objects reachable for the next negotiation.
constexpr char kMirrorRefPrefix[] = "refs/mirror/";

constexpr absl::string_view kHeadsPrefix = "refs/heads/";
constexpr absl::string_view kTagsPrefix = "refs/tags/";

bool IsFullSha(std::string_view text) {
  return text.size() == 40 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

const RemoteRef* FindRef(const std::vector<RemoteRef>& refs, std::string_view name) {
  for (const RemoteRef& ref : refs) {
    if (ref.name == name) return &ref;
  }
  return nullptr;
}

absl::Status WriteTreeInto(git_repository* repository, const git_tree* tree, const fs::path& into,
                           const std::string& prefix) {
  std::error_code error;
  fs::create_directories(into, error);
  if (error) {
    return absl::InternalError(absl::StrCat("create ", into.string(), ": ", error.message()));
  }
  for (size_t i = 0; i < git_tree_entrycount(tree); ++i) {
    const git_tree_entry* entry = git_tree_entry_byindex(tree, i);
    std::string name = git_tree_entry_name(entry);
    std::string relative = prefix.empty() ? name : prefix + "/" + name;
    // A tree from the server could name anything; nothing may leave the folder or fake a clone.
    if (name.empty() || name == "." || name == ".." || name == ".git" ||
        name.find('/') != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("the tree has an entry '", relative, "' that cannot be written"));
    }
    fs::path target = into / name;
    git_filemode_t mode = git_tree_entry_filemode(entry);
    if (mode == GIT_FILEMODE_COMMIT) {
      fs::create_directories(target, error);
      if (error) {
        return absl::InternalError(absl::StrCat("create ", target.string(), ": ", error.message()));
      }
      continue;
    }
    if (mode == GIT_FILEMODE_TREE) {
      git_tree* raw_subtree = nullptr;
      if (int code = git_tree_lookup(&raw_subtree, repository, git_tree_entry_id(entry));
          code < 0) {
        return LocalError(code, "read tree " + relative);
      }
      TreeHandle subtree(raw_subtree);
      if (absl::Status status = WriteTreeInto(repository, subtree.get(), target, relative);
          !status.ok()) {
        return status;
      }
      continue;
    }
    git_blob* raw_blob = nullptr;
    if (int code = git_blob_lookup(&raw_blob, repository, git_tree_entry_id(entry)); code < 0) {
      return LocalError(code, "read file " + relative);
    }
    BlobHandle blob(raw_blob);
    const char* content = static_cast<const char*>(git_blob_rawcontent(blob.get()));
    auto size = static_cast<size_t>(git_blob_rawsize(blob.get()));
    if (mode == GIT_FILEMODE_LINK) {
      fs::create_symlink(std::string(content, size), target, error);
      if (error) {
        return absl::InternalError(absl::StrCat("link ", relative, ": ", error.message()));
      }
      continue;
    }
    {
      std::ofstream file(target, std::ios::binary | std::ios::trunc);
      file.write(content, static_cast<std::streamsize>(size));
      if (!file) return absl::InternalError(absl::StrCat("write ", target.string()));
    }
    fs::permissions(
        target, mode == GIT_FILEMODE_BLOB_EXECUTABLE ? fs::perms(0755) : fs::perms(0644), error);
  }
  return absl::OkStatus();
}

absl::StatusOr<TreeHandle> CommitTree(git_repository* repository, const std::string& sha,
                                      const std::string& operation) {
  git_oid oid;
  if (!IsFullSha(sha) || git_oid_fromstr(&oid, sha.c_str()) < 0) {
    return absl::InvalidArgumentError(absl::StrCat(operation, ": not a commit SHA-1"));
  }
  git_commit* raw_commit = nullptr;
  if (int error = git_commit_lookup(&raw_commit, repository, &oid); error < 0) {
    return LocalError(error, operation);
  }
  CommitHandle commit(raw_commit);
  git_tree* raw_tree = nullptr;
  if (int error = git_commit_tree(&raw_tree, commit.get()); error < 0) {
    return LocalError(error, operation);
  }
  return TreeHandle(raw_tree);
}

}  // namespace

std::string FormatRevision(const std::string& ref_name, const std::string& commit) {
  if (ref_name.empty()) return "sha1:" + commit;
  absl::string_view short_name = ref_name;
  if (absl::StartsWith(short_name, kHeadsPrefix)) {
    short_name.remove_prefix(kHeadsPrefix.size());
  } else if (absl::StartsWith(short_name, kTagsPrefix)) {
    short_name.remove_prefix(kTagsPrefix.size());
  }
  return absl::StrCat(std::string(short_name), "@sha1:", commit);
}

absl::StatusOr<std::vector<RemoteRef>> ListRemoteRefs(const std::string& url,
                                                      const AuthOptions& auth, Deadline deadline) {
  RemoteSession session(url, auth);
  if (!session.status().ok()) return session.status();
  session.SetDeadline(deadline);
  git_remote* raw_remote = nullptr;
  if (int error = git_remote_create_detached(&raw_remote, url.c_str()); error < 0) {
    return session.Error(error, "ls-remote");
  }
  RemoteHandle remote(raw_remote);
  git_remote_callbacks callbacks = GIT_REMOTE_CALLBACKS_INIT;
  session.FillCallbacks(callbacks);
  git_proxy_options proxy = GIT_PROXY_OPTIONS_INIT;
  if (int error = git_remote_connect(remote.get(), GIT_DIRECTION_FETCH, &callbacks, &proxy,
                                     &session.custom_headers());
      error < 0) {
    return session.Error(error, "ls-remote");
  }
  const git_remote_head** heads = nullptr;
  size_t count = 0;
  if (int error = git_remote_ls(&heads, &count, remote.get()); error < 0) {
    return session.Error(error, "ls-remote");
  }
  std::vector<RemoteRef> refs;
  std::map<std::string, std::string> peeled;  // "refs/tags/v1" → commit, from "refs/tags/v1^{}"
  for (size_t i = 0; i < count; ++i) {
    std::string name = heads[i]->name;
    if (absl::EndsWith(name, "^{}")) {
      peeled[name.substr(0, name.size() - 3)] = OidToString(heads[i]->oid);
      continue;
    }
    std::string target = OidToString(heads[i]->oid);
    refs.push_back({name, target, target});
  }
  for (RemoteRef& ref : refs) {
    if (auto it = peeled.find(ref.name); it != peeled.end()) ref.commit = it->second;
  }
  git_remote_disconnect(remote.get());
  return refs;
}

absl::StatusOr<ResolvedReference> ResolveReference(const SourceReference& reference,
                                                   const std::vector<RemoteRef>& refs) {
  if (!reference.commit.empty()) {
    if (!IsFullSha(reference.commit)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "commit '", reference.commit, "' is not a full SHA-1 (40 lower-case hex digits)"));
    }
    ResolvedReference resolved{.commit = reference.commit};
    if (!reference.branch.empty()) {
      std::string branch = absl::StrCat(kHeadsPrefix, reference.branch);
      if (FindRef(refs, branch) == nullptr) {
        return absl::NotFoundError(
            absl::StrCat("the remote has no branch '", reference.branch, "'"));
      }
      resolved.remote_ref = branch;
    }
    resolved.revision = FormatRevision(resolved.remote_ref, resolved.commit);
    return resolved;
  }
  if (!reference.name.empty()) {
    const RemoteRef* ref = FindRef(refs, reference.name);
    if (ref == nullptr) {
      return absl::NotFoundError(absl::StrCat("the remote has no ref '", reference.name, "'"));
    }
    // A name keeps its full form in the revision, even for branches and tags.
    return ResolvedReference{.commit = ref->commit,
                             .remote_ref = ref->name,
                             .revision = absl::StrCat(ref->name, "@sha1:", ref->commit)};
  }
  if (!reference.semver.empty()) {
    absl::StatusOr<VersionConstraint> constraint = VersionConstraint::Parse(reference.semver);
    if (!constraint.ok()) return constraint.status();
    std::vector<std::string> tags;
    for (const RemoteRef& ref : refs) {
      if (absl::StartsWith(ref.name, kTagsPrefix)) {
        tags.push_back(ref.name.substr(kTagsPrefix.size()));
      }
    }
    std::optional<std::string> tag = HighestMatchingTag(tags, *constraint);
    if (!tag.has_value()) {
      return absl::NotFoundError(
          absl::StrCat("no tag of the remote matches the semver range '", reference.semver, "'"));
    }
    const RemoteRef* ref = FindRef(refs, absl::StrCat(kTagsPrefix, *tag));
    return ResolvedReference{.commit = ref->commit,
                             .remote_ref = ref->name,
                             .revision = FormatRevision(ref->name, ref->commit)};
  }
  std::string name =
      !reference.tag.empty()
          ? absl::StrCat(kTagsPrefix, reference.tag)
          : absl::StrCat(kHeadsPrefix, reference.branch.empty() ? "master" : reference.branch);
  const RemoteRef* ref = FindRef(refs, name);
  if (ref == nullptr) {
    return absl::NotFoundError(absl::StrCat(
        "the remote has no ", reference.tag.empty() ? "branch" : "tag", " '",
        name.substr(reference.tag.empty() ? kHeadsPrefix.size() : kTagsPrefix.size()), "'"));
  }
  return ResolvedReference{.commit = ref->commit,
                           .remote_ref = ref->name,
                           .revision = FormatRevision(ref->name, ref->commit)};
}

Mirror::Mirror(PrivateKey, Repository::RepositoryHandle handle, std::string url, AuthOptions auth)
    : handle_(std::move(handle)), url_(std::move(url)), auth_(std::move(auth)) {}

Mirror::~Mirror() = default;

absl::StatusOr<std::unique_ptr<Mirror>> Mirror::Open(const std::string& url,
                                                     const std::string& directory,
                                                     const AuthOptions& auth) {
  EnsureLibgit2();
  std::string operation = absl::StrCat("open the clone of ", RedactUrl(url), " in ", directory);
  std::error_code error_code;
  fs::create_directories(directory, error_code);
  if (error_code) {
    return absl::InternalError(absl::StrCat(operation, ": ", error_code.message()));
  }
  git_repository* raw_repository = nullptr;
  int error =
      git_repository_open_ext(&raw_repository, directory.c_str(),
                              GIT_REPOSITORY_OPEN_NO_SEARCH | GIT_REPOSITORY_OPEN_BARE, nullptr);
  if (error == GIT_ENOTFOUND) {
    error = git_repository_init(&raw_repository, directory.c_str(), /*is_bare=*/1);
  }
  if (error < 0) return LocalError(error, operation);
  Repository::RepositoryHandle handle(raw_repository);
  // The URL is not stored in the clone: every fetch uses the current one (with its credentials
  // nowhere on disk).
  return std::make_unique<Mirror>(PrivateKey{}, std::move(handle), url, auth);
}

bool Mirror::HasCommit(const std::string& sha) const {
  git_oid oid;
  if (!IsFullSha(sha) || git_oid_fromstr(&oid, sha.c_str()) < 0) return false;
  git_commit* raw_commit = nullptr;
  if (git_commit_lookup(&raw_commit, handle_.get(), &oid) < 0) return false;
  CommitHandle commit(raw_commit);
  return true;
}

absl::StatusOr<size_t> Mirror::Fetch(const std::string& remote_ref, Deadline deadline) {
  RemoteSession session(url_, auth_);
  if (!session.status().ok()) return session.status();
  session.SetDeadline(deadline);
  git_remote* raw_remote = nullptr;
  if (int error = git_remote_create_anonymous(&raw_remote, handle_.get(), url_.c_str());
      error < 0) {
    return session.Error(error, "fetch");
  }
  RemoteHandle remote(raw_remote);
  std::vector<std::string> refspecs;
  if (remote_ref.empty()) {
    refspecs = {absl::StrCat("+refs/heads/*:", kMirrorRefPrefix, "heads/*"),
                absl::StrCat("+refs/tags/*:", kMirrorRefPrefix, "tags/*")};
  } else if (IsFullSha(remote_ref)) {
    // Kept under a ref so the commit stays reachable (and known to the next negotiation).
    refspecs = {absl::StrCat("+", remote_ref, ":", kMirrorRefPrefix, "commits/", remote_ref)};
  } else {
    // "refs/heads/main" lands in refs/mirror/heads/main, "HEAD" in refs/mirror/HEAD.
    absl::string_view name = remote_ref;
    absl::ConsumePrefix(&name, "refs/");
    refspecs = {absl::StrCat("+", remote_ref, ":", kMirrorRefPrefix, name)};
  }
  std::vector<char*> pointers;
  for (std::string& refspec : refspecs) pointers.push_back(refspec.data());
  git_strarray refspec_array{pointers.data(), pointers.size()};
  git_fetch_options options = GIT_FETCH_OPTIONS_INIT;
  session.FillCallbacks(options.callbacks);
  options.custom_headers = session.custom_headers();
  options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
  if (int error = git_remote_fetch(remote.get(), &refspec_array, &options, "fetch"); error < 0) {
    return session.Error(
        error, absl::StrCat("fetch ", remote_ref.empty() ? "all refs" : remote_ref, " from"));
  }
  return git_remote_stats(remote.get())->received_objects;
}

absl::Status Mirror::WriteTree(const std::string& sha, const std::string& directory) const {
  std::string operation = absl::StrCat("write the tree of ", sha, " into ", directory);
  std::error_code error_code;
  if (fs::exists(directory, error_code) && !fs::is_empty(directory, error_code)) {
    return absl::FailedPreconditionError(absl::StrCat(operation, ": the folder is not empty"));
  }
  absl::StatusOr<TreeHandle> tree = CommitTree(handle_.get(), sha, operation);
  if (!tree.ok()) return tree.status();
  absl::Status written = WriteTreeInto(handle_.get(), tree->get(), directory, "");
  if (!written.ok()) {
    return absl::Status(written.code(), absl::StrCat(operation, ": ", written.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Gitlink>> Mirror::ListGitlinks(const std::string& sha) const {
  std::string operation = absl::StrCat("list the submodules of ", sha);
  absl::StatusOr<TreeHandle> tree = CommitTree(handle_.get(), sha, operation);
  if (!tree.ok()) return tree.status();
  std::vector<Gitlink> gitlinks;
  auto collect = [](const char* root, const git_tree_entry* entry, void* payload) -> int {
    if (git_tree_entry_filemode(entry) == GIT_FILEMODE_COMMIT) {
      static_cast<std::vector<Gitlink>*>(payload)->push_back(
          {.path = absl::StrCat(root, git_tree_entry_name(entry)),
           .commit = OidToString(*git_tree_entry_id(entry))});
    }
    return 0;
  };
  if (int error = git_tree_walk(tree->get(), GIT_TREEWALK_PRE, collect, &gitlinks); error < 0) {
    return LocalError(error, operation);
  }
  return gitlinks;
}

}  // namespace fluxcpp::git
