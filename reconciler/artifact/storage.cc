#include "reconciler/artifact/storage.h"

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <set>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"

namespace fluxcpp::reconciler::artifact {
namespace {

namespace fs = std::filesystem;

struct ArchiveWriteDeleter {
  void operator()(struct archive* handle) const { archive_write_free(handle); }
};
struct ArchiveReadDeleter {
  void operator()(struct archive* handle) const { archive_read_free(handle); }
};
struct ArchiveEntryDeleter {
  void operator()(struct archive_entry* entry) const { archive_entry_free(entry); }
};
struct DigestContextDeleter {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};
using ArchiveWriter = std::unique_ptr<struct archive, ArchiveWriteDeleter>;
using ArchiveReader = std::unique_ptr<struct archive, ArchiveReadDeleter>;
using ArchiveEntry = std::unique_ptr<struct archive_entry, ArchiveEntryDeleter>;

std::string ArchiveError(struct archive* handle) {
  const char* message = archive_error_string(handle);
  return message != nullptr ? message : "unknown libarchive error";
}

// One file system entry to archive, by its path relative to the archived folder.
struct TreeEntry {
  std::string relative_path;
  fs::file_type type;
};

// Collects the entries below `directory` in a fixed order (sorted by relative path, so the same
// tree gives the same archive on every file system), leaving out .git and what `filter` refuses.
absl::Status CollectTree(const fs::path& directory, const std::string& prefix,
                         const PathFilter& filter, std::vector<TreeEntry>& entries) {
  std::error_code error;
  std::vector<std::pair<std::string, fs::file_type>> children;
  for (fs::directory_iterator it(directory, error), end; !error && it != end; it.increment(error)) {
    fs::file_type type = it->symlink_status(error).type();
    if (error) break;
    children.emplace_back(it->path().filename().string(), type);
  }
  if (error) {
    return absl::InternalError(
        absl::StrCat("reading folder ", directory.string(), ": ", error.message()));
  }
  std::sort(children.begin(), children.end());
  for (const auto& [name, type] : children) {
    if (name == ".git") continue;
    std::string relative = prefix.empty() ? name : prefix + "/" + name;
    bool is_directory = type == fs::file_type::directory;
    // Sockets, fifos and devices have no place in a source tree.
    if (!is_directory && type != fs::file_type::regular && type != fs::file_type::symlink) continue;
    if (filter && !filter(relative, is_directory)) continue;
    // Folders are walked but not stored, as Flux does: an archive holds files and links, and
    // unpacking creates the folders they need.
    if (!is_directory) entries.push_back({relative, type});
    if (is_directory) {
      if (absl::Status status = CollectTree(directory / name, relative, filter, entries);
          !status.ok()) {
        return status;
      }
    }
  }
  return absl::OkStatus();
}

absl::Status WriteEntry(struct archive* writer, const fs::path& directory,
                        const TreeEntry& tree_entry) {
  ArchiveEntry entry(archive_entry_new());
  fs::path source = directory / tree_entry.relative_path;
  archive_entry_set_pathname(entry.get(), tree_entry.relative_path.c_str());
  // Zero times and owners and fixed modes: the archive depends on the content alone.
  archive_entry_set_mtime(entry.get(), 0, 0);
  archive_entry_set_uid(entry.get(), 0);
  archive_entry_set_gid(entry.get(), 0);
  std::error_code error;
  std::string content;
  switch (tree_entry.type) {
    case fs::file_type::directory:
      archive_entry_set_filetype(entry.get(), AE_IFDIR);
      archive_entry_set_perm(entry.get(), 0755);
      break;
    case fs::file_type::symlink: {
      fs::path target = fs::read_symlink(source, error);
      if (error) {
        return absl::InternalError(
            absl::StrCat("reading link ", source.string(), ": ", error.message()));
      }
      archive_entry_set_filetype(entry.get(), AE_IFLNK);
      archive_entry_set_perm(entry.get(), 0777);
      archive_entry_set_symlink(entry.get(), target.string().c_str());
      break;
    }
    default: {
      fs::perms permissions = fs::status(source, error).permissions();
      if (error) {
        return absl::InternalError(
            absl::StrCat("reading file ", source.string(), ": ", error.message()));
      }
      bool executable = (permissions & fs::perms::owner_exec) != fs::perms::none;
      archive_entry_set_filetype(entry.get(), AE_IFREG);
      archive_entry_set_perm(entry.get(), executable ? 0755 : 0644);
      archive_entry_set_size(entry.get(), static_cast<la_int64_t>(fs::file_size(source, error)));
      if (error) {
        return absl::InternalError(
            absl::StrCat("reading file ", source.string(), ": ", error.message()));
      }
      break;
    }
  }
  if (archive_write_header(writer, entry.get()) != ARCHIVE_OK) {
    return absl::InternalError(
        absl::StrCat("archiving ", tree_entry.relative_path, ": ", ArchiveError(writer)));
  }
  if (tree_entry.type != fs::file_type::regular) return absl::OkStatus();
  std::ifstream input(source, std::ios::binary);
  if (!input) return absl::InternalError(absl::StrCat("opening file ", source.string()));
  std::array<char, 64 * 1024> buffer;
  while (input) {
    input.read(buffer.data(), buffer.size());
    std::streamsize count = input.gcount();
    if (count <= 0) break;
    if (archive_write_data(writer, buffer.data(), static_cast<size_t>(count)) < 0) {
      return absl::InternalError(
          absl::StrCat("archiving ", tree_entry.relative_path, ": ", ArchiveError(writer)));
    }
  }
  if (input.bad()) return absl::InternalError(absl::StrCat("reading file ", source.string()));
  return absl::OkStatus();
}

std::string RandomSuffix() {
  std::random_device device;
  return absl::StrCat(device(), device());
}

// Whether `path` (absolute, normalised) lies in `root` (absolute, normalised) or is it.
bool IsWithin(const fs::path& path, const fs::path& root) {
  auto mismatch = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  return mismatch.first == root.end();
}

}  // namespace

manifest::Json Artifact::ToJson() const {
  manifest::Json json = manifest::Json::object();
  if (!digest.empty()) json["digest"] = digest;
  json["lastUpdateTime"] = last_update_time;
  json["path"] = path;
  json["revision"] = revision;
  json["size"] = size;
  json["url"] = url;
  return json;
}

absl::StatusOr<Artifact> Artifact::FromJson(const manifest::Json& json) {
  if (!json.is_object()) return absl::InvalidArgumentError("status.artifact is not an object");
  auto read_string = [&json](const char* field, bool required, std::string& out) -> absl::Status {
    auto it = json.find(field);
    if (it == json.end() || it->is_null()) {
      if (required) {
        return absl::InvalidArgumentError(absl::StrCat("status.artifact.", field, " is missing"));
      }
      return absl::OkStatus();
    }
    if (!it->is_string()) {
      return absl::InvalidArgumentError(
          absl::StrCat("status.artifact.", field, " is not a string"));
    }
    out = it->get<std::string>();
    return absl::OkStatus();
  };
  Artifact artifact;
  for (absl::Status status :
       {read_string("path", true, artifact.path), read_string("url", true, artifact.url),
        read_string("revision", true, artifact.revision),
        read_string("lastUpdateTime", true, artifact.last_update_time),
        read_string("digest", false, artifact.digest)}) {
    if (!status.ok()) return status;
  }
  if (auto it = json.find("size"); it != json.end() && !it->is_null()) {
    if (!it->is_number_integer()) {
      return absl::InvalidArgumentError("status.artifact.size is not an integer");
    }
    artifact.size = it->get<int64_t>();
  }
  return artifact;
}

Storage::Storage(std::string root, std::string base_url)
    : root_(std::move(root)), base_url_(std::move(base_url)) {
  while (base_url_.size() > 1 && base_url_.back() == '/') base_url_.pop_back();
  std::error_code ignored;
  fs::create_directories(root_, ignored);
}

std::string Storage::ObjectDirectory(std::string_view kind, std::string_view namespace_name,
                                     std::string_view name) {
  std::string lower(kind);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return absl::StrCat(lower, "/", std::string(namespace_name), "/", std::string(name));
}

std::string Storage::LocalPath(std::string_view relative_path) const {
  return (fs::path(root_) / fs::path(std::string(relative_path)).relative_path()).string();
}

absl::StatusOr<Artifact> Storage::Archive(const std::string& directory,
                                          const std::string& relative_path,
                                          const PathFilter& filter) const {
  std::vector<TreeEntry> entries;
  if (absl::Status status = CollectTree(directory, "", filter, entries); !status.ok()) {
    return status;
  }
  fs::path destination = LocalPath(relative_path);
  std::error_code error;
  fs::create_directories(destination.parent_path(), error);
  if (error) {
    return absl::InternalError(
        absl::StrCat("artifact ", relative_path, ": creating its folder: ", error.message()));
  }
  // Written beside the destination, so the rename is atomic and readers never see a partial file.
  fs::path temporary = destination.parent_path() /
                       absl::StrCat(".tmp-", destination.filename().string(), "-", RandomSuffix());
  absl::Status written = [&]() -> absl::Status {
    ArchiveWriter writer(archive_write_new());
    if (archive_write_add_filter_gzip(writer.get()) != ARCHIVE_OK ||
        // The gzip header would otherwise carry the current time.
        archive_write_set_filter_option(writer.get(), "gzip", "timestamp", nullptr) != ARCHIVE_OK ||
        archive_write_set_format_pax_restricted(writer.get()) != ARCHIVE_OK ||
        archive_write_open_filename(writer.get(), temporary.c_str()) != ARCHIVE_OK) {
      return absl::InternalError(ArchiveError(writer.get()));
    }
    for (const TreeEntry& entry : entries) {
      if (absl::Status status = WriteEntry(writer.get(), directory, entry); !status.ok()) {
        return status;
      }
    }
    if (archive_write_close(writer.get()) != ARCHIVE_OK) {
      return absl::InternalError(ArchiveError(writer.get()));
    }
    return absl::OkStatus();
  }();
  if (!written.ok()) {
    fs::remove(temporary, error);
    return absl::Status(written.code(),
                        absl::StrCat("artifact ", relative_path, ": ", written.message()));
  }
  absl::StatusOr<std::string> digest = FileDigest(temporary.string());
  if (!digest.ok()) {
    fs::remove(temporary, error);
    return digest.status();
  }
  int64_t size = static_cast<int64_t>(fs::file_size(temporary, error));
  fs::rename(temporary, destination, error);
  if (error) {
    std::error_code ignored;
    fs::remove(temporary, ignored);
    return absl::InternalError(
        absl::StrCat("artifact ", relative_path, ": moving into place: ", error.message()));
  }
  Artifact artifact;
  artifact.path = relative_path;
  artifact.url = base_url_ + "/" + relative_path;
  artifact.digest = *std::move(digest);
  artifact.size = size;
  return artifact;
}

bool Storage::Has(const Artifact& artifact) const {
  if (artifact.path.empty()) return false;
  std::string path = LocalPath(artifact.path);
  std::error_code error;
  if (!fs::is_regular_file(path, error)) return false;
  if (artifact.digest.empty()) return true;
  absl::StatusOr<std::string> digest = FileDigest(path);
  return digest.ok() && *digest == artifact.digest;
}

absl::Status KeepOnlyArchived(const std::string& directory, const PathFilter& filter) {
  std::vector<TreeEntry> entries;
  if (absl::Status status = CollectTree(directory, "", filter, entries); !status.ok()) {
    return status;
  }
  std::set<std::string> kept;
  for (const TreeEntry& entry : entries) {
    if (entry.type == fs::file_type::symlink) {
      return absl::FailedPreconditionError(
          absl::StrCat("'", entry.relative_path, "' is a symlink; the tree must be unpacked"));
    }
    kept.insert(entry.relative_path);
    for (size_t slash = entry.relative_path.find('/'); slash != std::string::npos;
         slash = entry.relative_path.find('/', slash + 1)) {
      kept.insert(entry.relative_path.substr(0, slash));
    }
  }
  std::error_code error;
  std::vector<fs::path> unwanted;
  fs::recursive_directory_iterator it(directory, error);
  for (fs::recursive_directory_iterator end; !error && it != end; it.increment(error)) {
    if (kept.contains(it->path().lexically_relative(directory).generic_string())) continue;
    unwanted.push_back(it->path());
    it.disable_recursion_pending();
  }
  if (error) {
    return absl::InternalError(absl::StrCat("reading folder ", directory, ": ", error.message()));
  }
  for (const fs::path& path : unwanted) {
    fs::remove_all(path, error);
    if (error) {
      return absl::InternalError(absl::StrCat("removing ", path.string(), ": ", error.message()));
    }
  }
  return absl::OkStatus();
}

absl::Status Storage::GarbageCollect(const std::string& object_directory,
                                     const std::string& keep_path) const {
  fs::path folder = LocalPath(object_directory);
  std::error_code error;
  if (keep_path.empty()) {
    fs::remove_all(folder, error);
    if (error) {
      return absl::InternalError(
          absl::StrCat("removing artifacts in ", object_directory, ": ", error.message()));
    }
    return absl::OkStatus();
  }
  if (!fs::exists(folder, error)) return absl::OkStatus();
  fs::path keep = fs::path(LocalPath(keep_path)).lexically_normal();
  std::vector<fs::path> doomed;
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    if (it->path().lexically_normal() != keep) doomed.push_back(it->path());
  }
  if (error) {
    return absl::InternalError(
        absl::StrCat("listing artifacts in ", object_directory, ": ", error.message()));
  }
  for (const fs::path& path : doomed) {
    fs::remove_all(path, error);
    if (error) {
      return absl::InternalError(
          absl::StrCat("removing artifact ", path.string(), ": ", error.message()));
    }
  }
  return absl::OkStatus();
}

absl::Status Extract(const std::string& archive_path, const std::string& directory,
                     int64_t max_bytes) {
  std::error_code error;
  fs::create_directories(directory, error);
  if (error) {
    return absl::InternalError(absl::StrCat("creating ", directory, ": ", error.message()));
  }
  fs::path root = fs::canonical(directory, error);
  if (error) {
    return absl::InternalError(absl::StrCat("resolving ", directory, ": ", error.message()));
  }
  ArchiveReader reader(archive_read_new());
  archive_read_support_filter_all(reader.get());
  archive_read_support_format_tar(reader.get());
  if (archive_read_open_filename(reader.get(), archive_path.c_str(), 64 * 1024) != ARCHIVE_OK) {
    return absl::InvalidArgumentError(
        absl::StrCat("opening archive ", archive_path, ": ", ArchiveError(reader.get())));
  }
  auto refuse = [&archive_path](const std::string& entry, const std::string& why) {
    return absl::InvalidArgumentError(
        absl::StrCat("archive ", archive_path, ": entry '", entry, "' ", why));
  };
  int64_t total = 0;
  struct archive_entry* entry = nullptr;
  while (true) {
    int result = archive_read_next_header(reader.get(), &entry);
    if (result == ARCHIVE_EOF) break;
    if (result != ARCHIVE_OK && result != ARCHIVE_WARN) {
      return absl::InvalidArgumentError(
          absl::StrCat("reading archive ", archive_path, ": ", ArchiveError(reader.get())));
    }
    const char* raw_name = archive_entry_pathname(entry);
    std::string name = raw_name != nullptr ? raw_name : "";
    fs::path relative(name);
    if (name.empty() || relative.is_absolute()) return refuse(name, "has an absolute path");
    for (const fs::path& part : relative) {
      if (part == "..") return refuse(name, "leaves the folder with '..'");
    }
    fs::path target = root / relative.lexically_normal();
    // Resolving the parent follows links extracted earlier, so a link cannot smuggle a later
    // entry out of the folder.
    fs::path parent = fs::weakly_canonical(target.parent_path(), error);
    if (error || !IsWithin(parent, root)) return refuse(name, "lands outside the folder");
    target = parent / target.filename();
    if (fs::is_symlink(fs::symlink_status(target, error))) {
      return refuse(name, "would write through an existing link");
    }
    mode_t type = archive_entry_filetype(entry);
    if (type == AE_IFDIR) {
      fs::create_directories(target, error);
      if (error) return refuse(name, "cannot be created: " + error.message());
      continue;
    }
    fs::create_directories(parent, error);
    if (error) return refuse(name, "cannot be created: " + error.message());
    if (type == AE_IFLNK) {
      const char* raw_link = archive_entry_symlink(entry);
      fs::path link = raw_link != nullptr ? raw_link : "";
      if (link.empty() || link.is_absolute()) return refuse(name, "links to an absolute path");
      fs::path resolved = fs::weakly_canonical(parent / link, error);
      if (error || !IsWithin(resolved, root)) return refuse(name, "links outside the folder");
      fs::create_symlink(link, target, error);
      if (error) return refuse(name, "cannot be created: " + error.message());
      continue;
    }
    if (type != AE_IFREG) return refuse(name, "is neither a file, a folder nor a link");
    if (archive_entry_size_is_set(entry) && total + archive_entry_size(entry) > max_bytes) {
      return refuse(name, absl::StrCat("exceeds the limit of ", max_bytes, " bytes unpacked"));
    }
    std::ofstream output(target, std::ios::binary | std::ios::trunc);
    if (!output) return refuse(name, "cannot be written");
    std::array<char, 64 * 1024> buffer;
    while (true) {
      la_ssize_t count = archive_read_data(reader.get(), buffer.data(), buffer.size());
      if (count < 0) {
        return absl::InvalidArgumentError(absl::StrCat("reading archive ", archive_path, " at '",
                                                       name, "': ", ArchiveError(reader.get())));
      }
      if (count == 0) break;
      total += count;
      if (total > max_bytes) {
        return refuse(name, absl::StrCat("exceeds the limit of ", max_bytes, " bytes unpacked"));
      }
      output.write(buffer.data(), count);
    }
    output.close();
    if (!output) return refuse(name, "cannot be written");
    fs::permissions(
        target, (archive_entry_perm(entry) & 0111) != 0 ? fs::perms(0755) : fs::perms(0644), error);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> FileDigest(const std::string& path) {
  std::ifstream input(path, std::ios::binary);
  if (!input) return absl::NotFoundError(absl::StrCat("opening ", path, " for its digest"));
  std::unique_ptr<EVP_MD_CTX, DigestContextDeleter> context(EVP_MD_CTX_new());
  if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1) {
    return absl::InternalError("initialising sha256");
  }
  std::array<char, 64 * 1024> buffer;
  while (input) {
    input.read(buffer.data(), buffer.size());
    std::streamsize count = input.gcount();
    if (count <= 0) break;
    EVP_DigestUpdate(context.get(), buffer.data(), static_cast<size_t>(count));
  }
  if (input.bad()) return absl::InternalError(absl::StrCat("reading ", path, " for its digest"));
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest;
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(context.get(), digest.data(), &length) != 1) {
    return absl::InternalError("finishing sha256");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex = "sha256:";
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xf]);
  }
  return hex;
}

}  // namespace fluxcpp::reconciler::artifact
