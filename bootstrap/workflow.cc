// The shared pieces of the workflows (workflow.h).
#include "bootstrap/workflow.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <system_error>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "bootstrap/validation.h"
#include "lib/git/repository.h"

namespace fluxcpp::bootstrap {

std::chrono::seconds Deadline::Remaining() const {
  auto left =
      std::chrono::duration_cast<std::chrono::seconds>(end_ - std::chrono::steady_clock::now());
  return std::max(left, std::chrono::seconds(1));
}

void Deadline::Pause(std::chrono::milliseconds interval) const {
  const auto until = std::chrono::steady_clock::now() + interval;
  while (!Cancelled() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        std::chrono::milliseconds(50), until - std::chrono::steady_clock::now()));
  }
}

absl::StatusOr<std::unique_ptr<ScratchFolder>> ScratchFolder::Create() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      absl::StrCat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "/fluxcpp-bootstrap.XXXXXX");
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr) {
    return absl::InternalError(
        absl::StrCat("cannot create a scratch folder like ", pattern, " for the clone"));
  }
  return std::make_unique<ScratchFolder>(PrivateKey{}, buffer.data());
}

ScratchFolder::~ScratchFolder() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void Say(const Progress& progress, std::string_view line) {
  if (progress) progress(line);
}

absl::Status CheckCluster(kube::Client& client, const Progress& progress) {
  Say(progress, "checking the cluster");
  absl::StatusOr<kube::Json> version = client.Call("GET", "/version");
  if (!version.ok()) {
    return absl::Status(version.status().code(),
                        absl::StrCat("cluster: the API server does not answer (check the "
                                     "kubeconfig and its context): ",
                                     version.status().message()));
  }
  Say(progress, absl::StrCat("cluster answers: Kubernetes ", version->value("gitVersion", "?")));
  return absl::OkStatus();
}

namespace {

// A socket closed when it goes out of scope.
class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

// Address information freed when it goes out of scope.
struct AddrinfoDeleter {
  void operator()(addrinfo* info) const { ::freeaddrinfo(info); }
};

struct HostPort {
  std::string host;
  std::string port;
};

// The host and port of a URL `scheme://[user[:password]@]host[:port]/...`, with the scheme's
// default port.
std::optional<HostPort> HostPortOf(const std::string& url) {
  const std::string scheme = UrlScheme(url);
  size_t start = url.find("://");
  if (start == std::string::npos) return std::nullopt;
  start += 3;
  size_t end = url.find_first_of("/?#", start);
  std::string authority = url.substr(start, end == std::string::npos ? end : end - start);
  if (size_t at = authority.rfind('@'); at != std::string::npos) authority.erase(0, at + 1);
  HostPort result{.host = authority,
                  .port = scheme == "ssh"    ? "22"
                          : scheme == "http" ? "80"
                                             : "443"};
  if (!authority.empty() && authority.front() == '[') {  // [IPv6]:port
    size_t close = authority.find(']');
    if (close == std::string::npos) return std::nullopt;
    result.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') {
      result.port = authority.substr(close + 2);
    }
  } else if (size_t colon = authority.rfind(':'); colon != std::string::npos) {
    result.host = authority.substr(0, colon);
    result.port = authority.substr(colon + 1);
  }
  int port = 0;
  if (result.host.empty() || !absl::SimpleAtoi(result.port, &port) || port <= 0 || port > 65535) {
    return std::nullopt;
  }
  return result;
}

// Waits until `socket` is ready for `events`, at most `timeout`; DeadlineExceeded when it is not.
absl::Status WaitFor(const Socket& socket, short events, std::chrono::milliseconds timeout) {
  pollfd waiting{.fd = socket.fd(), .events = events, .revents = 0};
  int ready = ::poll(&waiting, 1, static_cast<int>(std::max<int64_t>(timeout.count(), 0)));
  if (ready == 0) return absl::DeadlineExceededError("no answer to the connection request");
  if (ready < 0) return absl::UnavailableError(std::strerror(errno));
  return absl::OkStatus();
}

// Connects to one address without blocking past `end`; OK when it connected and, when
// `expect_ssh_banner`, the server sent the SSH identification line (an SSH server speaks first, so
// a server that accepts but never answers is caught here too).
absl::Status ConnectBefore(const addrinfo& address, std::chrono::steady_clock::time_point end,
                           bool expect_ssh_banner) {
  auto left = [&end] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(end -
                                                                 std::chrono::steady_clock::now());
  };
  Socket socket(::socket(address.ai_family, address.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                         address.ai_protocol));
  if (socket.fd() < 0) return absl::UnavailableError(std::strerror(errno));
  if (::connect(socket.fd(), address.ai_addr, address.ai_addrlen) != 0) {
    if (errno != EINPROGRESS) return absl::UnavailableError(std::strerror(errno));
    if (absl::Status connected = WaitFor(socket, POLLOUT, left()); !connected.ok()) {
      return connected;
    }
    int error = 0;
    socklen_t length = sizeof(error);
    if (::getsockopt(socket.fd(), SOL_SOCKET, SO_ERROR, &error, &length) != 0) {
      return absl::UnavailableError(std::strerror(errno));
    }
    if (error != 0) return absl::UnavailableError(std::strerror(error));
  }
  if (!expect_ssh_banner) return absl::OkStatus();
  if (absl::Status answered = WaitFor(socket, POLLIN, left()); !answered.ok()) {
    return absl::DeadlineExceededError("the connection was accepted but the server sent nothing");
  }
  char banner[4] = {};
  ssize_t read = ::recv(socket.fd(), banner, sizeof(banner), MSG_PEEK);
  if (read <= 0) return absl::UnavailableError("the server closed the connection at once");
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckReachable(const std::string& url, std::chrono::seconds timeout) {
  std::optional<HostPort> target = HostPortOf(url);
  // A URL we cannot take apart is left to libgit2, whose error names it.
  if (!target.has_value()) return absl::OkStatus();
  const std::string where = absl::StrCat(target->host, ":", target->port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int failed = ::getaddrinfo(target->host.c_str(), target->port.c_str(), &hints, &found);
      failed != 0) {
    return absl::UnavailableError(
        absl::StrCat("Git server ", where, " of ", git::RedactUrl(url),
                     ": cannot resolve the host: ", ::gai_strerror(failed)));
  }
  std::unique_ptr<addrinfo, AddrinfoDeleter> addresses(found);
  const auto end = std::chrono::steady_clock::now() + timeout;
  absl::Status last = absl::UnavailableError("no address");
  for (const addrinfo* address = addresses.get(); address != nullptr; address = address->ai_next) {
    if (std::chrono::steady_clock::now() >= end) break;
    last = ConnectBefore(*address, end, UrlScheme(url) == "ssh");
    if (last.ok()) return last;
  }
  if (last.code() == absl::StatusCode::kDeadlineExceeded ||
      std::chrono::steady_clock::now() >= end) {
    return absl::DeadlineExceededError(absl::StrCat(
        "Git server ", where, " of ", git::RedactUrl(url), ": no answer within ", timeout.count(),
        "s (", last.message(), "); check the URL, the network and firewalls"));
  }
  return absl::UnavailableError(absl::StrCat("Git server ", where, " of ", git::RedactUrl(url),
                                             ": cannot connect: ", last.message()));
}

absl::Status CheckGitAccess(const std::string& url, const GitOptions& git, const Progress& progress,
                            std::chrono::seconds connect_timeout) {
  if (absl::Status reachable = CheckReachable(url, connect_timeout); !reachable.ok()) {
    return reachable;
  }
  Say(progress, absl::StrCat("checking push access to ", git::RedactUrl(url)));
  if (absl::Status access = git::CheckPushAccess(url, git.auth); !access.ok()) return access;
  Say(progress, absl::StrCat("push access to ", git::RedactUrl(url), " confirmed"));
  return absl::OkStatus();
}

std::string BootstrapFolder(const SyncOptions& sync) {
  std::string path = sync.CleanPath();
  return path.empty() ? sync.namespace_name : absl::StrCat(path, "/", sync.namespace_name);
}

std::string CommitMessage(absl::string_view message, const GitOptions& git) {
  if (git.commit_message_appendix.empty()) return std::string(message);
  return absl::StrCat(message, "\n\n", git.commit_message_appendix);
}

std::string BranchRevision(const std::string& branch, const std::string& sha) {
  return absl::StrCat(branch, "@sha1:", sha);
}

std::string ShortSha(const std::string& sha) { return sha.substr(0, 12); }

}  // namespace fluxcpp::bootstrap
