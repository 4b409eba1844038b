// Talking to the remote: fetch, push with re-application of our commits after a concurrent push,
// and ls-remote.
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/git/libgit2.h"
#include "lib/git/mirror.h"
#include "lib/git/remote_session.h"
#include "lib/git/repository.h"
#include "lib/git/signing.h"

namespace fluxcpp::git {
namespace {

constexpr char kRemoteName[] = "origin";

std::string Short(const std::string& sha) { return sha.substr(0, 12); }

// Whether the server's reason for refusing a ref means the branch moved under us.
bool IsStaleRejection(absl::string_view reason) {
  for (absl::string_view marker :
       {"non-fast-forward", "fetch first", "stale info", "failed to update ref", "cannot lock"}) {
    if (absl::StrContains(absl::AsciiStrToLower(reason), marker)) return true;
  }
  return false;
}

// The paths in conflict in a merge index.
std::vector<std::string> ConflictPaths(git_index* index) {
  std::set<std::string> paths;
  for (size_t i = 0; i < git_index_entrycount(index); ++i) {
    const git_index_entry* entry = git_index_get_byindex(index, i);
    if (git_index_entry_stage(entry) > 0) paths.insert(entry->path);
  }
  return {paths.begin(), paths.end()};
}

}  // namespace

absl::StatusOr<std::optional<std::string>> Repository::FetchBranch() {
  RemoteSession session(url_, auth_);
  if (!session.status().ok()) return session.status();
  git_remote* raw_remote = nullptr;
  if (int error = git_remote_lookup(&raw_remote, handle_.get(), kRemoteName); error < 0) {
    return session.Error(error, "fetch");
  }
  RemoteHandle remote(raw_remote);
  std::string tracking_ref = absl::StrCat("refs/remotes/", kRemoteName, "/", branch_);
  std::string refspec = absl::StrCat("+refs/heads/", branch_, ":", tracking_ref);
  char* refspec_pointer = refspec.data();
  git_strarray refspecs{&refspec_pointer, 1};
  git_fetch_options options = GIT_FETCH_OPTIONS_INIT;
  session.FillCallbacks(options.callbacks);
  options.custom_headers = session.custom_headers();
  options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
  options.prune = GIT_FETCH_PRUNE;
  if (int error = git_remote_fetch(remote.get(), &refspecs, &options, "fetch"); error < 0) {
    return session.Error(error, "fetch");
  }
  git_oid oid;
  int error = git_reference_name_to_id(&oid, handle_.get(), tracking_ref.c_str());
  if (error == GIT_ENOTFOUND) return std::nullopt;
  if (error < 0) return session.Error(error, "fetch");
  return OidToString(oid);
}

absl::StatusOr<std::string> Repository::Fetch() {
  absl::StatusOr<std::optional<std::string>> head = FetchBranch();
  if (!head.ok()) return head.status();
  if (!head->has_value()) {
    return absl::NotFoundError(
        absl::StrCat("fetch ", RedactUrl(url_), ": the remote has no branch ", branch_));
  }
  return **head;
}

absl::Status Repository::PushOnce(bool* rejected_as_stale) {
  *rejected_as_stale = false;
  RemoteSession session(url_, auth_);
  if (!session.status().ok()) return session.status();
  absl::StatusOr<std::string> head = Head();
  if (!head.ok()) return head.status();
  if (head->empty()) {
    return session.Error(absl::StatusCode::kFailedPrecondition, "push",
                         absl::StrCat("branch ", branch_, " has no commit to push"));
  }
  git_remote* raw_remote = nullptr;
  if (int error = git_remote_lookup(&raw_remote, handle_.get(), kRemoteName); error < 0) {
    return session.Error(error, "push");
  }
  RemoteHandle remote(raw_remote);
  std::string refspec = absl::StrCat("refs/heads/", branch_, ":refs/heads/", branch_);
  char* refspec_pointer = refspec.data();
  git_strarray refspecs{&refspec_pointer, 1};
  git_push_options options = GIT_PUSH_OPTIONS_INIT;
  session.FillCallbacks(options.callbacks);
  options.custom_headers = session.custom_headers();
  if (int error = git_remote_push(remote.get(), &refspecs, &options); error < 0) {
    // libgit2 refuses a non-fast-forward push itself, before the server sees it.
    *rejected_as_stale = error == GIT_ENONFASTFORWARD;
    return session.Error(error, "push");
  }
  if (!session.rejected_refs().empty()) {
    for (const std::string& reason : session.rejected_refs()) {
      *rejected_as_stale = *rejected_as_stale || IsStaleRejection(reason);
    }
    return session.Error(
        absl::StatusCode::kAborted, "push",
        absl::StrCat("the server refused ", absl::StrJoin(session.rejected_refs(), "; ")));
  }
  // The remote branch is now our head; remember it as origin's, as git does.
  git_oid oid;
  git_oid_fromstr(&oid, head->c_str());
  git_reference* raw_reference = nullptr;
  if (int error = git_reference_create(
          &raw_reference, handle_.get(),
          absl::StrCat("refs/remotes/", kRemoteName, "/", branch_).c_str(), &oid, 1, "push");
      error < 0) {
    return LocalError(error, "record the pushed head");
  }
  ReferenceHandle reference(raw_reference);
  return absl::OkStatus();
}

absl::StatusOr<PushResult> Repository::Push(const PushOptions& options) {
  PushResult result;
  for (int attempt = 1;; ++attempt) {
    bool stale = false;
    absl::Status pushed = PushOnce(&stale);
    if (pushed.ok()) {
      absl::StatusOr<std::string> head = Head();
      if (!head.ok()) return head.status();
      result.sha = *head;
      return result;
    }
    if (!stale) return pushed;
    if (attempt >= options.max_attempts) {
      return absl::AbortedError(
          absl::StrCat(pushed.message(), " (", attempt, " attempts; the branch kept moving)"));
    }
    absl::StatusOr<std::optional<std::string>> upstream = FetchBranch();
    if (!upstream.ok()) return upstream.status();
    if (upstream->has_value()) {
      if (absl::Status status = ReapplyOn(**upstream); !status.ok()) return status;
      ++result.reapplied;
    }
  }
}

absl::Status Repository::ReapplyOn(const std::string& upstream) {
  git_repository* repository = handle_.get();
  std::string operation = absl::StrCat("push ", RedactUrl(url_), ": re-apply our commits on ",
                                       branch_, " at ", Short(upstream));
  git_oid onto_oid;
  git_oid_fromstr(&onto_oid, upstream.c_str());
  git_oid head_oid;
  if (int error = git_reference_name_to_id(&head_oid, repository, "HEAD"); error < 0) {
    return LocalError(error, operation);
  }

  // Our commits: reachable from HEAD but not from the new upstream head, oldest first.
  git_revwalk* raw_walk = nullptr;
  if (int error = git_revwalk_new(&raw_walk, repository); error < 0) {
    return LocalError(error, operation);
  }
  RevwalkHandle walk(raw_walk);
  git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
  int error = git_revwalk_push(walk.get(), &head_oid);
  if (error >= 0) error = git_revwalk_hide(walk.get(), &onto_oid);
  if (error < 0) return LocalError(error, operation);
  std::vector<git_oid> ours;
  git_oid next;
  while ((error = git_revwalk_next(&next, walk.get())) == 0) ours.push_back(next);
  if (error != GIT_ITEROVER) return LocalError(error, operation);

  git_commit* raw_onto = nullptr;
  if ((error = git_commit_lookup(&raw_onto, repository, &onto_oid)) < 0) {
    return LocalError(error, operation);
  }
  CommitHandle onto(raw_onto);
  // Our commits were signed, so their re-applied copies are too.
  std::unique_ptr<openpgp::Context> signer;
  if (signing_.enabled() && !ours.empty()) {
    absl::StatusOr<std::unique_ptr<openpgp::Context>> made = MakeSigner(signing_, operation);
    if (!made.ok()) return made.status();
    signer = *std::move(made);
  }
  for (const git_oid& oid : ours) {
    git_commit* raw_commit = nullptr;
    if ((error = git_commit_lookup(&raw_commit, repository, &oid)) < 0) {
      return LocalError(error, operation);
    }
    CommitHandle commit(raw_commit);
    unsigned int mainline = git_commit_parentcount(commit.get()) > 1 ? 1 : 0;
    git_index* raw_index = nullptr;
    if ((error = git_cherrypick_commit(&raw_index, repository, commit.get(), onto.get(), mainline,
                                       nullptr)) < 0) {
      return LocalError(error, operation);
    }
    IndexHandle index(raw_index);
    if (git_index_has_conflicts(index.get())) {
      return absl::AbortedError(absl::StrCat(operation, ": our commit ", Short(OidToString(oid)),
                                             " \"", git_commit_summary(commit.get()),
                                             "\" conflicts with changes pushed meanwhile in ",
                                             absl::StrJoin(ConflictPaths(index.get()), ", ")));
    }
    git_oid tree_oid;
    if ((error = git_index_write_tree_to(&tree_oid, index.get(), repository)) < 0) {
      return LocalError(error, operation);
    }
    if (git_oid_equal(&tree_oid, git_commit_tree_id(onto.get()))) continue;  // already upstream
    git_tree* raw_tree = nullptr;
    if ((error = git_tree_lookup(&raw_tree, repository, &tree_oid)) < 0) {
      return LocalError(error, operation);
    }
    TreeHandle tree(raw_tree);
    const git_signature* original_committer = git_commit_committer(commit.get());
    git_signature* raw_committer = nullptr;
    if ((error = git_signature_now(&raw_committer, original_committer->name,
                                   original_committer->email)) < 0) {
      return LocalError(error, operation);
    }
    SignatureHandle committer(raw_committer);
    const git_commit* parents[] = {onto.get()};
    absl::StatusOr<std::string> created =
        CreateCommitObject(signer.get(), git_commit_author(commit.get()), committer.get(),
                           git_commit_message_encoding(commit.get()),
                           git_commit_message(commit.get()), tree.get(), 1, parents, operation);
    if (!created.ok()) return created.status();
    git_oid new_oid;
    git_oid_fromstr(&new_oid, created->c_str());
    git_commit* raw_new = nullptr;
    if ((error = git_commit_lookup(&raw_new, repository, &new_oid)) < 0) {
      return LocalError(error, operation);
    }
    onto.reset(raw_new);
  }

  // Work tree first, then the branch: a failed checkout leaves the branch where it was.
  git_checkout_options checkout = GIT_CHECKOUT_OPTIONS_INIT;
  checkout.checkout_strategy = GIT_CHECKOUT_SAFE;
  if ((error = git_checkout_tree(repository, reinterpret_cast<const git_object*>(onto.get()),
                                 &checkout)) < 0) {
    return LocalError(error, operation);
  }
  git_reference* raw_branch = nullptr;
  if ((error = git_reference_create(&raw_branch, repository, ("refs/heads/" + branch_).c_str(),
                                    git_commit_id(onto.get()), 1,
                                    "re-apply on the remote's new head")) < 0) {
    return LocalError(error, operation);
  }
  ReferenceHandle branch(raw_branch);
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> LsRemote(const std::string& url, const std::string& ref,
                                                    const AuthOptions& auth) {
  absl::StatusOr<std::vector<RemoteRef>> refs = ListRemoteRefs(url, auth);
  if (!refs.ok()) return refs.status();
  std::string name = ref == "HEAD" || absl::StartsWith(ref, "refs/") ? ref : "refs/heads/" + ref;
  for (const RemoteRef& remote_ref : *refs) {
    if (remote_ref.name == name) return remote_ref.target;
  }
  return std::nullopt;
}

absl::Status CheckPushAccess(const std::string& url, const AuthOptions& auth) {
  // Reading first, so that a wrong key, host key or password is reported as what it is rather
  // than as a missing write permission.
  absl::StatusOr<std::optional<std::string>> readable = LsRemote(url, "HEAD", auth);
  if (!readable.ok()) return readable.status();

  RemoteSession session(url, auth);
  if (!session.status().ok()) return session.status();
  git_remote* raw_remote = nullptr;
  if (int error = git_remote_create_detached(&raw_remote, url.c_str()); error < 0) {
    return session.Error(error, "check push access to");
  }
  RemoteHandle remote(raw_remote);
  git_remote_callbacks callbacks = GIT_REMOTE_CALLBACKS_INIT;
  session.FillCallbacks(callbacks);
  git_proxy_options proxy = GIT_PROXY_OPTIONS_INIT;
  if (int error = git_remote_connect(remote.get(), GIT_DIRECTION_PUSH, &callbacks, &proxy,
                                     &session.custom_headers());
      error < 0) {
    // Reading just worked over the same connection settings, so a refusal here is about
    // writing (an HTTP 403, or the SSH server's "read only" message), not the network.
    absl::Status status = session.Error(error, "check push access to");
    return absl::PermissionDeniedError(absl::StrCat(
        "push to ", session.redacted_url(),
        ": the server lets these credentials read but not push (a read-only deploy key or a user "
        "without write access?): ",
        status.message()));
  }
  git_remote_disconnect(remote.get());
  return absl::OkStatus();
}

}  // namespace fluxcpp::git
