#include "reconciler/kustomization/workspace.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include "lib/curl/handles.h"

namespace fluxcpp::reconciler::kustomization {
namespace {

namespace fs = std::filesystem;

size_t WriteToStream(char* data, size_t size, size_t count, void* stream) {
  auto* output = static_cast<std::ofstream*>(stream);
  output->write(data, static_cast<std::streamsize>(size * count));
  return output->good() ? size * count : 0;
}

// "sha256:ab12…" → "sha256-ab12…", a folder name that never needs quoting.
std::string TreeName(const std::string& digest) {
  std::string name = digest;
  for (char& c : name) {
    if (c == ':' || c == '/') c = '-';
  }
  return name;
}

std::string UniqueSuffix(uint64_t counter) {
  return std::to_string(::getpid()) + "-" + std::to_string(counter) + "-" +
         std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
}

}  // namespace

absl::Status DownloadFile(const std::string& url, const std::string& path,
                          std::chrono::seconds timeout) {
  curl::Easy handle = curl::NewEasy();
  if (!handle) return absl::InternalError("download of " + url + ": cannot start libcurl");
  std::ofstream output(path, std::ios::binary | std::ios::trunc);
  if (!output) return absl::InternalError("download of " + url + ": cannot write " + path);
  curl_easy_setopt(handle.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle.get(), CURLOPT_WRITEFUNCTION, &WriteToStream);
  curl_easy_setopt(handle.get(), CURLOPT_WRITEDATA, &output);
  curl_easy_setopt(handle.get(), CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(handle.get(), CURLOPT_TIMEOUT, static_cast<long>(timeout.count()));
  curl_easy_setopt(handle.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  CURLcode code = curl_easy_perform(handle.get());
  output.close();
  if (code != CURLE_OK) {
    return absl::UnavailableError("download of " + url + ": " + curl_easy_strerror(code));
  }
  long http_status = 0;
  curl_easy_getinfo(handle.get(), CURLINFO_RESPONSE_CODE, &http_status);
  if (http_status != 200) {
    return absl::UnavailableError("download of " + url + ": HTTP " + std::to_string(http_status));
  }
  return absl::OkStatus();
}

Workspace::Lease::Lease(Workspace& workspace, std::string digest, std::string path)
    : workspace_(workspace), digest_(std::move(digest)), path_(std::move(path)) {}

Workspace::Lease::~Lease() { workspace_.Release(digest_); }

Workspace::Workspace(std::string root, const artifact::Storage& local_storage,
                     std::chrono::seconds keep_unused)
    : root_(std::move(root)), local_storage_(local_storage), keep_unused_(keep_unused) {}

absl::Status Workspace::Fetch(const artifact::Artifact& artifact, const std::string& archive_path) {
  absl::Status downloaded = DownloadFile(artifact.url, archive_path);
  if (!downloaded.ok()) return downloaded;
  auto digest = artifact::FileDigest(archive_path);
  if (!digest.ok()) return digest.status();
  if (*digest != artifact.digest) {
    return absl::DataLossError("artifact " + artifact.url + ": digest " + *digest +
                               " does not match the recorded " + artifact.digest);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Workspace::Lease>> Workspace::Acquire(
    const artifact::Artifact& artifact) {
  if (artifact.digest.empty()) {
    return absl::InvalidArgumentError("artifact " + artifact.url + " has no digest");
  }
  std::string name = TreeName(artifact.digest);
  fs::path tree = fs::path(root_) / name;
  uint64_t counter;
  {
    std::lock_guard lock(mutex_);
    TreeUse& use = trees_[name];
    ++use.leases;
    use.last_used = std::chrono::steady_clock::now();
    counter = next_suffix_++;
  }
  auto lease = std::make_unique<Lease>(*this, name, tree.string());
  std::error_code error;
  {
    // Whoever finds the tree missing unpacks it; the others wait for that (at scale, hundreds of
    // Kustomizations of one revision start at once).
    std::unique_lock lock(mutex_);
    unpacked_.wait(lock, [&] { return !trees_[name].unpacking; });
    if (fs::is_directory(tree, error)) return lease;
    trees_[name].unpacking = true;
  }
  struct UnpackDone {
    Workspace& workspace;
    const std::string& name;
    ~UnpackDone() {
      {
        std::lock_guard lock(workspace.mutex_);
        workspace.trees_[name].unpacking = false;
      }
      workspace.unpacked_.notify_all();
    }
  } unpack_done{*this, name};

  // Unpack beside the final place and rename, so nobody ever reads a half-written tree (another
  // process may share the root).
  fs::create_directories(root_, error);
  if (error) return absl::InternalError("creating " + root_ + ": " + error.message());
  std::string suffix = UniqueSuffix(counter);
  fs::path staging = fs::path(root_) / (".unpack-" + name + "-" + suffix);
  std::string archive_path;
  fs::path download;
  if (local_storage_.Has(artifact)) {
    archive_path = local_storage_.LocalPath(artifact.path);
  } else {
    download = fs::path(root_) / (".download-" + name + "-" + suffix + ".tar.gz");
    archive_path = download.string();
    if (absl::Status fetched = Fetch(artifact, archive_path); !fetched.ok()) {
      fs::remove(download, error);
      return fetched;
    }
  }
  absl::Status extracted = artifact::Extract(archive_path, staging.string());
  if (!download.empty()) fs::remove(download, error);
  if (!extracted.ok()) {
    fs::remove_all(staging, error);
    return absl::Status(extracted.code(), "unpacking artifact " + artifact.revision + ": " +
                                              std::string(extracted.message()));
  }
  fs::rename(staging, tree, error);
  if (error) {
    fs::remove_all(staging, error);
    if (!fs::is_directory(tree)) {
      return absl::InternalError("moving the unpacked artifact to " + tree.string());
    }
  }
  return lease;
}

void Workspace::Adopt(const artifact::Artifact& artifact, const std::string& tree) {
  if (artifact.digest.empty()) return;
  std::string name = TreeName(artifact.digest);
  std::error_code error;
  std::lock_guard lock(mutex_);
  TreeUse& use = trees_[name];
  if (use.unpacking) return;
  use.last_used = std::chrono::steady_clock::now();
  fs::create_directories(root_, error);
  fs::path target = fs::path(root_) / name;
  if (error || fs::exists(target, error)) return;
  fs::rename(tree, target, error);
}

void Workspace::Release(const std::string& digest) {
  std::vector<std::string> unused;
  {
    std::lock_guard lock(mutex_);
    auto now = std::chrono::steady_clock::now();
    TreeUse& use = trees_[digest];
    --use.leases;
    use.last_used = now;
    for (auto it = trees_.begin(); it != trees_.end();) {
      if (it->second.leases == 0 && now - it->second.last_used > keep_unused_) {
        unused.push_back(it->first);
        it = trees_.erase(it);
      } else {
        ++it;
      }
    }
    // Removed under the lock so a concurrent Acquire of the same digest does not find a tree
    // that is half gone.
    std::error_code error;
    for (const std::string& name : unused) fs::remove_all(fs::path(root_) / name, error);
  }
}

}  // namespace fluxcpp::reconciler::kustomization
