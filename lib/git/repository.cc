// Clone, open, work-tree files and commits. Fetch, push and ls-remote are in sync.cc.
#include "lib/git/repository.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "lib/git/libgit2.h"
#include "lib/git/remote_session.h"
#include "lib/git/signing.h"

namespace fluxcpp::git {
namespace {

constexpr char kRemoteName[] = "origin";

// Checks that `path` names a file inside the work tree and outside .git; returns it normalised.
absl::StatusOr<std::filesystem::path> WorkTreePath(const std::string& root,
                                                   const std::string& path) {
  std::filesystem::path relative = std::filesystem::path(path).lexically_normal();
  if (path.empty() || relative.is_absolute() || relative.empty() || *relative.begin() == ".." ||
      *relative.begin() == ".git" || *relative.begin() == "." || relative.filename().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", path, "' is not a file path inside the work tree (relative, no '..', not in .git)"));
  }
  return std::filesystem::path(root) / relative;
}

absl::Status SetUpstream(git_repository* repository, const std::string& branch) {
  git_config* raw_config = nullptr;
  if (int error = git_repository_config(&raw_config, repository); error < 0) {
    return LocalError(error, "read the repository's configuration");
  }
  ConfigHandle config(raw_config);
  std::string section = absl::StrCat("branch.", branch);
  int error = git_config_set_string(config.get(), (section + ".remote").c_str(), kRemoteName);
  if (error >= 0) {
    error = git_config_set_string(config.get(), (section + ".merge").c_str(),
                                  ("refs/heads/" + branch).c_str());
  }
  return error < 0 ? LocalError(error, "set the upstream of " + branch) : absl::OkStatus();
}

}  // namespace

void Repository::GitRepositoryDeleter::operator()(git_repository* repository) const {
  git_repository_free(repository);
}

Repository::Repository(PrivateKey, RepositoryHandle handle, std::string url, std::string branch,
                       std::string directory, AuthOptions auth)
    : handle_(std::move(handle)),
      url_(std::move(url)),
      branch_(std::move(branch)),
      directory_(std::move(directory)),
      auth_(std::move(auth)) {}

Repository::~Repository() = default;

absl::StatusOr<std::unique_ptr<Repository>> Repository::Clone(const std::string& url,
                                                              const std::string& directory,
                                                              const CloneOptions& options) {
  RemoteSession session(url, options.auth);
  if (!session.status().ok()) return session.status();
  std::string operation = absl::StrCat("clone ", session.redacted_url(), " (branch ",
                                       options.branch, ") into ", directory);
  int valid_name = 0;
  if (options.branch.empty() ||
      git_reference_name_is_valid(&valid_name, ("refs/heads/" + options.branch).c_str()) < 0 ||
      !valid_name) {
    return absl::InvalidArgumentError(
        absl::StrCat(operation, ": '", options.branch, "' is not a valid branch name"));
  }
  std::error_code error_code;
  bool existed = std::filesystem::exists(directory, error_code);
  if (existed && !std::filesystem::is_empty(directory, error_code)) {
    return absl::FailedPreconditionError(absl::StrCat(operation, ": the folder is not empty"));
  }

  git_repository_init_options init_options = GIT_REPOSITORY_INIT_OPTIONS_INIT;
  init_options.flags = GIT_REPOSITORY_INIT_MKPATH;
  init_options.initial_head = options.branch.c_str();
  git_repository* raw_repository = nullptr;
  if (int error = git_repository_init_ext(&raw_repository, directory.c_str(), &init_options);
      error < 0) {
    return LocalError(error, operation);
  }
  auto repository = std::make_unique<Repository>(PrivateKey{}, RepositoryHandle(raw_repository),
                                                 url, options.branch, directory, options.auth);

  // Leaves no half-made clone behind.
  auto failed = [&](absl::Status status) {
    repository.reset();
    std::error_code ignored;
    if (existed) {
      for (const auto& entry : std::filesystem::directory_iterator(directory, ignored)) {
        std::filesystem::remove_all(entry.path(), ignored);
      }
    } else {
      std::filesystem::remove_all(directory, ignored);
    }
    return status;
  };

  std::string fetch_refspec = absl::StrCat("+refs/heads/", options.branch, ":refs/remotes/",
                                           kRemoteName, "/", options.branch);
  git_remote* raw_remote = nullptr;
  if (int error = git_remote_create_with_fetchspec(&raw_remote, raw_repository, kRemoteName,
                                                   url.c_str(), fetch_refspec.c_str());
      error < 0) {
    return failed(session.Error(error, "clone"));
  }
  RemoteHandle remote(raw_remote);
  if (absl::Status status = SetUpstream(raw_repository, options.branch); !status.ok()) {
    return failed(status);
  }

  absl::StatusOr<std::optional<std::string>> head = repository->FetchBranch();
  if (!head.ok()) {
    return failed(absl::Status(head.status().code(), absl::StrCat("clone into ", directory, ": ",
                                                                  head.status().message())));
  }
  if (!head->has_value()) return repository;  // an empty repository or a new branch

  git_oid oid;
  git_oid_fromstr(&oid, (*head)->c_str());
  git_reference* raw_reference = nullptr;
  if (int error = git_reference_create(&raw_reference, raw_repository,
                                       ("refs/heads/" + options.branch).c_str(), &oid, 1, "clone");
      error < 0) {
    return failed(LocalError(error, operation));
  }
  ReferenceHandle reference(raw_reference);
  git_checkout_options checkout = GIT_CHECKOUT_OPTIONS_INIT;
  checkout.checkout_strategy = GIT_CHECKOUT_FORCE;
  if (int error = git_checkout_head(raw_repository, &checkout); error < 0) {
    return failed(LocalError(error, operation));
  }
  return repository;
}

absl::StatusOr<std::unique_ptr<Repository>> Repository::Open(const std::string& directory,
                                                             const AuthOptions& auth) {
  EnsureLibgit2();
  std::string operation = absl::StrCat("open the clone in ", directory);
  git_repository* raw_repository = nullptr;
  if (int error = git_repository_open_ext(&raw_repository, directory.c_str(),
                                          GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr);
      error < 0) {
    return LocalError(error, operation);
  }
  RepositoryHandle handle(raw_repository);
  git_reference* raw_head = nullptr;
  if (int error = git_reference_lookup(&raw_head, raw_repository, "HEAD"); error < 0) {
    return LocalError(error, operation);
  }
  ReferenceHandle head(raw_head);
  const char* target = git_reference_symbolic_target(head.get());
  std::string_view prefix = "refs/heads/";
  if (target == nullptr || std::string_view(target).substr(0, prefix.size()) != prefix) {
    return absl::FailedPreconditionError(
        absl::StrCat(operation, ": HEAD is not on a branch (detached)"));
  }
  git_remote* raw_remote = nullptr;
  if (int error = git_remote_lookup(&raw_remote, raw_repository, kRemoteName); error < 0) {
    return LocalError(error, operation);
  }
  RemoteHandle remote(raw_remote);
  return std::make_unique<Repository>(PrivateKey{}, std::move(handle), git_remote_url(remote.get()),
                                      std::string(target + prefix.size()), directory, auth);
}

absl::StatusOr<std::string> Repository::Head() const {
  git_oid oid;
  int error = git_reference_name_to_id(&oid, handle_.get(), "HEAD");
  if (error == GIT_ENOTFOUND || error == GIT_EUNBORNBRANCH) return std::string();
  if (error < 0) return LocalError(error, absl::StrCat("read HEAD in ", directory_));
  return OidToString(oid);
}

absl::StatusOr<std::string> Repository::ReadFile(const std::string& path) const {
  absl::StatusOr<std::filesystem::path> file = WorkTreePath(directory_, path);
  if (!file.ok()) return file.status();
  std::ifstream stream(*file, std::ios::binary);
  if (!stream) {
    std::error_code error_code;
    if (!std::filesystem::exists(*file, error_code)) {
      return absl::NotFoundError(absl::StrCat(path, ": no such file in ", directory_));
    }
    return absl::PermissionDeniedError(absl::StrCat(path, ": cannot be read in ", directory_));
  }
  std::ostringstream content;
  content << stream.rdbuf();
  return content.str();
}

absl::Status Repository::WriteFile(const std::string& path, absl::string_view content) {
  absl::StatusOr<std::filesystem::path> file = WorkTreePath(directory_, path);
  if (!file.ok()) return file.status();
  std::error_code error_code;
  std::filesystem::create_directories(file->parent_path(), error_code);
  if (error_code) {
    return absl::InternalError(absl::StrCat(path, ": cannot create its folder in ", directory_,
                                            ": ", error_code.message()));
  }
  std::ofstream stream(*file, std::ios::binary | std::ios::trunc);
  stream.write(content.data(), static_cast<std::streamsize>(content.size()));
  stream.close();
  if (!stream) {
    return absl::InternalError(absl::StrCat(path, ": cannot be written in ", directory_));
  }
  return absl::OkStatus();
}

absl::Status Repository::RemoveFile(const std::string& path) {
  absl::StatusOr<std::filesystem::path> file = WorkTreePath(directory_, path);
  if (!file.ok()) return file.status();
  std::error_code error_code;
  std::filesystem::remove(*file, error_code);
  if (error_code) {
    return absl::InternalError(
        absl::StrCat(path, ": cannot be removed in ", directory_, ": ", error_code.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<openpgp::Context>> MakeSigner(const SigningOptions& signing,
                                                             const std::string& operation) {
  absl::StatusOr<std::unique_ptr<openpgp::Context>> signer =
      openpgp::SigningContext({.armored_key_ring = signing.armored_key_ring,
                               .passphrase = signing.passphrase,
                               .key_id = signing.key_id},
                              "the commit signing key ring");
  if (!signer.ok()) {
    return absl::Status(signer.status().code(),
                        absl::StrCat(operation, ": ", signer.status().message()));
  }
  return signer;
}

absl::StatusOr<std::string> CheckSigningKey(const SigningOptions& signing) {
  const std::string operation = "check the commit signing key";
  if (!signing.enabled()) {
    return absl::InvalidArgumentError(operation + ": no key ring was given");
  }
  absl::StatusOr<std::unique_ptr<openpgp::Context>> signer = MakeSigner(signing, operation);
  if (!signer.ok()) return signer.status();
  absl::StatusOr<std::string> probe = (*signer)->SignDetached("fluxcpp signing probe\n");
  if (!probe.ok()) {
    return absl::Status(probe.status().code(),
                        absl::StrCat(operation, ": ", probe.status().message()));
  }
  return (*signer)->SelectSigningKey(signing.key_id);
}

absl::StatusOr<std::string> Repository::CreateCommitObject(
    openpgp::Context* signer, const git_signature* author, const git_signature* committer,
    const char* message_encoding, const char* message, const git_tree* tree, size_t parent_count,
    const git_commit* parents[], const std::string& operation) {
  git_repository* repository = handle_.get();
  git_oid commit_oid;
  if (signer == nullptr) {
    if (int error = git_commit_create(&commit_oid, repository, nullptr, author, committer,
                                      message_encoding, message, tree, parent_count, parents);
        error < 0) {
      return LocalError(error, operation);
    }
    return OidToString(commit_oid);
  }
  git_buf buffer = GIT_BUF_INIT;
  if (int error = git_commit_create_buffer(&buffer, repository, author, committer, message_encoding,
                                           message, tree, parent_count, parents);
      error < 0) {
    return LocalError(error, operation);
  }
  std::string content(buffer.ptr, buffer.size);
  git_buf_dispose(&buffer);
  absl::StatusOr<std::string> signature = signer->SignDetached(content);
  if (!signature.ok()) {
    return absl::Status(signature.status().code(),
                        absl::StrCat(operation, ": ", signature.status().message()));
  }
  if (int error = git_commit_create_with_signature(&commit_oid, repository, content.c_str(),
                                                   signature->c_str(), "gpgsig");
      error < 0) {
    return LocalError(error, operation);
  }
  return OidToString(commit_oid);
}

absl::StatusOr<CommitResult> Repository::Commit(const CommitOptions& options) {
  std::string operation = absl::StrCat("commit on ", branch_, " in ", directory_);
  if (options.author_name.empty() || options.author_email.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(operation, ": the author's name and email are required"));
  }
  if (options.message.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(operation, ": the message is empty"));
  }
  // The key is checked before anything is staged, so a bad key leaves the clone as it was.
  std::unique_ptr<openpgp::Context> signer;
  if (options.signing.enabled()) {
    absl::StatusOr<std::unique_ptr<openpgp::Context>> made = MakeSigner(options.signing, operation);
    if (!made.ok()) return made.status();
    signer = *std::move(made);
  }
  signing_ = options.signing;
  git_repository* repository = handle_.get();
  git_index* raw_index = nullptr;
  if (int error = git_repository_index(&raw_index, repository); error < 0) {
    return LocalError(error, operation);
  }
  IndexHandle index(raw_index);
  git_oid tree_oid;
  int error = git_index_add_all(index.get(), nullptr, GIT_INDEX_ADD_DEFAULT, nullptr, nullptr);
  if (error >= 0) error = git_index_update_all(index.get(), nullptr, nullptr, nullptr);
  if (error >= 0) error = git_index_write_tree(&tree_oid, index.get());
  if (error < 0) return LocalError(error, operation);
  // The staged index is written only with the commit (or when nothing is to commit), so a failed
  // signature leaves the on-disk index alone too.
  auto write_index = [&]() -> absl::Status {
    int write_error = git_index_write(index.get());
    return write_error < 0 ? LocalError(write_error, operation) : absl::OkStatus();
  };

  CommitHandle parent;
  git_oid parent_oid;
  error = git_reference_name_to_id(&parent_oid, repository, "HEAD");
  if (error >= 0) {
    git_commit* raw_parent = nullptr;
    if ((error = git_commit_lookup(&raw_parent, repository, &parent_oid)) < 0) {
      return LocalError(error, operation);
    }
    parent.reset(raw_parent);
    if (!options.allow_empty && git_oid_equal(git_commit_tree_id(parent.get()), &tree_oid)) {
      if (absl::Status written = write_index(); !written.ok()) return written;
      return CommitResult{OidToString(parent_oid), false};
    }
  } else if (error != GIT_ENOTFOUND && error != GIT_EUNBORNBRANCH) {
    return LocalError(error, operation);
  } else if (!options.allow_empty && git_index_entrycount(index.get()) == 0) {
    return CommitResult{"", false};
  }

  git_tree* raw_tree = nullptr;
  if ((error = git_tree_lookup(&raw_tree, repository, &tree_oid)) < 0) {
    return LocalError(error, operation);
  }
  TreeHandle tree(raw_tree);
  git_signature* raw_signature = nullptr;
  if ((error = git_signature_now(&raw_signature, options.author_name.c_str(),
                                 options.author_email.c_str())) < 0) {
    return LocalError(error, operation);
  }
  SignatureHandle signature(raw_signature);
  const git_commit* parents[] = {parent.get()};
  absl::StatusOr<std::string> commit =
      CreateCommitObject(signer.get(), signature.get(), signature.get(), nullptr,
                         options.message.c_str(), tree.get(), parent ? 1 : 0, parents, operation);
  if (!commit.ok()) return commit.status();
  git_oid commit_oid;
  git_oid_fromstr(&commit_oid, commit->c_str());
  // The branch HEAD names, created by the first commit.
  git_reference* raw_branch = nullptr;
  std::string reflog =
      absl::StrCat("commit: ", options.message.substr(0, options.message.find('\n')));
  if ((error = git_reference_create(&raw_branch, repository, ("refs/heads/" + branch_).c_str(),
                                    &commit_oid, 1, reflog.c_str())) < 0) {
    return LocalError(error, operation);
  }
  ReferenceHandle branch(raw_branch);
  if (absl::Status written = write_index(); !written.ok()) return written;
  return CommitResult{*commit, true};
}

absl::StatusOr<bool> Repository::Contains(const std::string& commit, const std::string& ancestor) {
  std::string operation = absl::StrCat("compare ", commit, " with ", ancestor, " in ", directory_);
  git_oid commit_oid;
  git_oid ancestor_oid;
  if (commit.size() != GIT_OID_HEXSZ || ancestor.size() != GIT_OID_HEXSZ ||
      git_oid_fromstr(&commit_oid, commit.c_str()) < 0 ||
      git_oid_fromstr(&ancestor_oid, ancestor.c_str()) < 0) {
    return absl::InvalidArgumentError(absl::StrCat(operation, ": not a pair of commit SHAs"));
  }
  if (git_oid_equal(&commit_oid, &ancestor_oid)) return true;
  auto known = [this, &commit_oid] {
    git_object* raw = nullptr;
    bool found = git_object_lookup(&raw, handle_.get(), &commit_oid, GIT_OBJECT_COMMIT) == 0;
    ObjectHandle object(raw);
    return found;
  };
  if (!known()) {
    if (absl::StatusOr<std::string> fetched = Fetch(); !fetched.ok()) return fetched.status();
    if (!known()) return false;
  }
  int descendant = git_graph_descendant_of(handle_.get(), &commit_oid, &ancestor_oid);
  if (descendant < 0) return LocalError(descendant, operation);
  return descendant == 1;
}

absl::Status Repository::ResetHard(const std::string& sha) {
  std::string operation = absl::StrCat("reset ", branch_, " in ", directory_, " to ", sha);
  git_oid oid;
  if (git_oid_fromstr(&oid, sha.c_str()) < 0) {
    return absl::InvalidArgumentError(absl::StrCat(operation, ": not a commit SHA"));
  }
  git_object* raw_commit = nullptr;
  if (int error = git_object_lookup(&raw_commit, handle_.get(), &oid, GIT_OBJECT_COMMIT);
      error < 0) {
    return LocalError(error, operation);
  }
  ObjectHandle commit(raw_commit);
  git_checkout_options checkout = GIT_CHECKOUT_OPTIONS_INIT;
  checkout.checkout_strategy = GIT_CHECKOUT_FORCE;
  if (int error = git_reset(handle_.get(), commit.get(), GIT_RESET_HARD, &checkout); error < 0) {
    return LocalError(error, operation);
  }
  return absl::OkStatus();
}

}  // namespace fluxcpp::git
