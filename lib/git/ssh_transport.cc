#include "lib/git/ssh_transport.h"

#include <fcntl.h>
#include <git2.h>
#include <git2/sys/remote.h>
#include <git2/sys/transport.h>
#include <libssh2.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "lib/git/auth.h"
#include "lib/git/known_hosts.h"
#include "lib/git/remote_session.h"
#include "lib/git/smart_subtransport.h"

namespace fluxcpp::git {
namespace {

using Clock = std::chrono::steady_clock;

class SocketHandle {
 public:
  SocketHandle() = default;
  explicit SocketHandle(int fd) : fd_(fd) {}
  ~SocketHandle() {
    if (fd_ >= 0) close(fd_);
  }
  SocketHandle(SocketHandle&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  SocketHandle& operator=(SocketHandle&& other) noexcept {
    if (this != &other) {
      if (fd_ >= 0) close(fd_);
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  int get() const { return fd_; }

 private:
  int fd_ = -1;
};

struct SessionDeleter {
  void operator()(LIBSSH2_SESSION* session) const {
    libssh2_session_disconnect(session, "done");
    libssh2_session_free(session);
  }
};
struct ChannelDeleter {
  void operator()(LIBSSH2_CHANNEL* channel) const { libssh2_channel_free(channel); }
};
using SessionHandle = std::unique_ptr<LIBSSH2_SESSION, SessionDeleter>;
using ChannelHandle = std::unique_ptr<LIBSSH2_CHANNEL, ChannelDeleter>;

struct AddressInfoDeleter {
  void operator()(addrinfo* info) const { freeaddrinfo(info); }
};
using AddressInfo = std::unique_ptr<addrinfo, AddressInfoDeleter>;

// How long to wait for the peer when the operation has no deadline: libssh2's 0, no limit.
constexpr long kNoTimeout = 0;
// The bound of the goodbye (channel close, disconnect) after a failure: the peer may be silent.
constexpr std::chrono::milliseconds kGoodbyeTimeout(500);

std::string SecondsText(std::chrono::milliseconds duration) {
  return absl::StrFormat("%.1fs", static_cast<double>(duration.count()) / 1000.0);
}

std::string LastSshError(LIBSSH2_SESSION* session) {
  char* message = nullptr;
  int length = 0;
  libssh2_session_last_error(session, &message, &length, 0);
  if (message == nullptr || length <= 0) return "unknown libssh2 error";
  return std::string(message, static_cast<size_t>(length));
}

// Host key algorithms for the key types of known_hosts, in their order: an RSA key is checked
// with the SHA-2 signature algorithms first, as OpenSSH does.
std::vector<std::string> AlgorithmsForKeyTypes(const std::vector<std::string>& types) {
  std::vector<std::string> algorithms;
  for (const std::string& type : types) {
    if (type == "ssh-rsa") {
      for (const char* rsa : {"rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"}) algorithms.push_back(rsa);
    } else {
      algorithms.push_back(type);
    }
  }
  return algorithms;
}

// One SSH connection running one git service: the socket, the libssh2 session and the channel.
// This is also the stream libgit2 reads and writes; the smart transport frees it.
class SshStream {
 public:
  SshStream(RemoteSession& session, SmartService service)
      : binding_{{}, this}, session_(session), service_(service) {
    binding_.interface.read = &SshStream::ReadCallback;
    binding_.interface.write = &SshStream::WriteCallback;
    binding_.interface.free = &SshStream::FreeCallback;
    const RemoteUrl& remote = session_.remote_url();
    host_ = remote.port == 22 ? remote.host : absl::StrCat("[", remote.host, "]:", remote.port);
  }
  ~SshStream();
  SshStream(const SshStream&) = delete;
  SshStream& operator=(const SshStream&) = delete;

  git_smart_subtransport_stream* interface() { return &binding_.interface; }
  void set_owner(git_smart_subtransport* owner, SshStream** current) {
    binding_.interface.subtransport = owner;
    current_ = current;
  }
  const char* service_name() const { return service_.name; }

  // Connects, verifies the host key, authenticates and starts the service. Returns 0, or the
  // session's abort code with the reason recorded there.
  int Open();

 private:
  static SshStream& From(git_smart_subtransport_stream* stream) {
    return *reinterpret_cast<Binding<git_smart_subtransport_stream, SshStream>*>(stream)->owner;
  }
  static int ReadCallback(git_smart_subtransport_stream* stream, char* buffer, size_t size,
                          size_t* bytes_read) {
    return From(stream).Read(buffer, size, bytes_read);
  }
  static int WriteCallback(git_smart_subtransport_stream* stream, const char* buffer,
                           size_t length) {
    return From(stream).Write(buffer, length);
  }
  static void FreeCallback(git_smart_subtransport_stream* stream) {
    std::unique_ptr<SshStream> owned(&From(stream));
  }

  int Read(char* buffer, size_t size, size_t* bytes_read);
  int Write(const char* buffer, size_t length);

  int Connect();
  int Handshake();
  int Authenticate();
  int StartService();

  // Gives libssh2 the time left until the deadline for its next blocking call. Returns false
  // (after recording the failure) when the deadline passed already.
  bool ArmTimeout(const char* doing);
  // The failure for a libssh2 error `code` during `doing`: a timeout is kDeadlineExceeded.
  int Failed(int code, const char* doing, absl::StatusCode otherwise, absl::string_view reason);
  int DeadlinePassed(const char* doing);
  std::string StderrText();

  Binding<git_smart_subtransport_stream, SshStream> binding_;
  RemoteSession& session_;
  SmartService service_;
  std::string host_;  // "[host]:port", or the plain host on port 22, as known_hosts names it
  SshStream** current_ = nullptr;
  // The operation's budget when the connection started, for messages.
  std::optional<std::chrono::milliseconds> budget_;
  bool broken_ = false;  // a failure or timeout: say goodbye without waiting for the peer

  // Destroyed in reverse order: channel, session, socket.
  SocketHandle socket_;
  SessionHandle ssh_;
  ChannelHandle channel_;
};

SshStream::~SshStream() {
  if (current_ != nullptr && *current_ == this) *current_ = nullptr;
  if (ssh_) {
    if (broken_) {
      // The peer may never answer the channel close: no goodbye that could wait for it.
      shutdown(socket_.get(), SHUT_RDWR);
    }
    libssh2_session_set_timeout(ssh_.get(), kGoodbyeTimeout.count());
  }
  channel_.reset();
  ssh_.reset();
}

int SshStream::DeadlinePassed(const char* doing) {
  broken_ = true;
  std::string budget = budget_.has_value() ? absl::StrCat(" (", SecondsText(*budget_), ")") : "";
  return session_.Abort(absl::DeadlineExceededError(absl::StrCat(
      "the operation's timeout", budget, " passed ", doing, " the SSH server ", host_)));
}

bool SshStream::ArmTimeout(const char* doing) {
  const auto& deadline = session_.deadline();
  if (!deadline.has_value()) {
    libssh2_session_set_timeout(ssh_.get(), kNoTimeout);
    return true;
  }
  auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now());
  if (remaining.count() <= 0) {
    DeadlinePassed(doing);
    return false;
  }
  libssh2_session_set_timeout(ssh_.get(), static_cast<long>(remaining.count()));
  return true;
}

int SshStream::Failed(int code, const char* doing, absl::StatusCode otherwise,
                      absl::string_view reason) {
  broken_ = true;
  if (code == LIBSSH2_ERROR_TIMEOUT || code == LIBSSH2_ERROR_SOCKET_TIMEOUT ||
      (session_.deadline().has_value() && Clock::now() >= *session_.deadline())) {
    return DeadlinePassed(doing);
  }
  return session_.Abort(absl::Status(otherwise, std::string(reason)));
}

int SshStream::Open() {
  if (session_.deadline().has_value()) {
    budget_ =
        std::chrono::duration_cast<std::chrono::milliseconds>(*session_.deadline() - Clock::now());
  }
  if (int error = Connect(); error < 0) return error;
  if (int error = Handshake(); error < 0) return error;
  if (int error = Authenticate(); error < 0) return error;
  return StartService();
}

int SshStream::Connect() {
  const RemoteUrl& remote = session_.remote_url();
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* raw_addresses = nullptr;
  std::string port = std::to_string(remote.port);
  // Name resolution is the system resolver's, bounded by its own timeouts (resolv.conf).
  if (int error = getaddrinfo(remote.host.c_str(), port.c_str(), &hints, &raw_addresses);
      error != 0) {
    broken_ = true;
    return session_.Abort(absl::UnavailableError(
        absl::StrCat("cannot resolve the SSH server ", remote.host, ": ", gai_strerror(error))));
  }
  AddressInfo addresses(raw_addresses);
  std::string last_error = "no address";
  for (addrinfo* address = addresses.get(); address != nullptr; address = address->ai_next) {
    SocketHandle candidate(
        socket(address->ai_family, address->ai_socktype | SOCK_CLOEXEC, address->ai_protocol));
    if (candidate.get() < 0) {
      last_error = std::strerror(errno);
      continue;
    }
    int flags = fcntl(candidate.get(), F_GETFL, 0);
    fcntl(candidate.get(), F_SETFL, flags | O_NONBLOCK);
    int connected = connect(candidate.get(), address->ai_addr, address->ai_addrlen);
    if (connected < 0 && errno != EINPROGRESS) {
      last_error = std::strerror(errno);
      continue;
    }
    if (connected < 0) {
      // Wait for the connection, at most until the deadline (a black hole never answers).
      while (true) {
        int wait_ms = -1;
        if (session_.deadline().has_value()) {
          auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
              *session_.deadline() - Clock::now());
          if (remaining.count() <= 0) return DeadlinePassed("connecting to");
          wait_ms = static_cast<int>(std::min<int64_t>(remaining.count(), 1 << 30));
        }
        pollfd ready{candidate.get(), POLLOUT, 0};
        int polled = poll(&ready, 1, wait_ms);
        if (polled < 0 && errno == EINTR) continue;
        if (polled == 0) return DeadlinePassed("connecting to");
        break;
      }
      int socket_error = 0;
      socklen_t length = sizeof(socket_error);
      getsockopt(candidate.get(), SOL_SOCKET, SO_ERROR, &socket_error, &length);
      if (socket_error != 0) {
        last_error = std::strerror(socket_error);
        continue;
      }
    }
    // libssh2 in blocking mode waits with its own timeout (ArmTimeout) on a non-blocking socket.
    socket_ = std::move(candidate);
    return 0;
  }
  broken_ = true;
  return session_.Abort(absl::UnavailableError(
      absl::StrCat("cannot connect to the SSH server ", host_, ": ", last_error)));
}

int SshStream::Handshake() {
  ssh_.reset(libssh2_session_init());
  if (!ssh_) {
    broken_ = true;
    return session_.Abort(absl::ResourceExhaustedError("out of memory starting an SSH session"));
  }
  libssh2_session_set_blocking(ssh_.get(), 1);
  const AuthOptions& auth = session_.auth();
  const RemoteUrl& remote = session_.remote_url();
  // The host key algorithms asked for: the configured ones, else those of the key types
  // known_hosts can check, so that a server with several host keys presents one of those.
  std::string wanted = absl::StrJoin(auth.ssh_hostkey_algorithms, ",");
  if (!wanted.empty()) {
    if (libssh2_session_method_pref(ssh_.get(), LIBSSH2_METHOD_HOSTKEY, wanted.c_str()) < 0) {
      broken_ = true;
      return session_.Abort(absl::InvalidArgumentError(
          absl::StrCat("none of the SSH host key algorithms ", wanted,
                       " is supported by this client (libssh2 ", LIBSSH2_VERSION, ")")));
    }
  } else {
    wanted = absl::StrJoin(
        AlgorithmsForKeyTypes(KnownHostKeyTypes(auth.known_hosts, remote.host, remote.port)), ",");
    // libssh2 ignores the names it does not know; when it knows none, its defaults stay.
    if (wanted.empty() ||
        libssh2_session_method_pref(ssh_.get(), LIBSSH2_METHOD_HOSTKEY, wanted.c_str()) < 0) {
      wanted.clear();
    }
  }
  if (!ArmTimeout("waiting for")) return GIT_EUSER;
  if (int code = libssh2_session_handshake(ssh_.get(), socket_.get()); code < 0) {
    if (code == LIBSSH2_ERROR_KEX_FAILURE && !wanted.empty()) {
      // The usual cause: the server has no host key of the asked-for types (OpenSSH also refuses
      // RSA keys with SHA-1 signatures, "ssh-rsa", which is all libssh2 1.10 knows for RSA).
      return Failed(
          code, "in the SSH handshake with", absl::StatusCode::kFailedPrecondition,
          absl::StrCat("the SSH server ", host_, " offers none of the host key algorithms ", wanted,
                       auth.ssh_hostkey_algorithms.empty()
                           ? " (those of the keys known_hosts holds for it)"
                           : "",
                       ", or no common key exchange (", LastSshError(ssh_.get()), ")"));
    }
    return Failed(
        code, "in the SSH handshake with", absl::StatusCode::kUnavailable,
        absl::StrCat("the SSH handshake with ", host_, " failed: ", LastSshError(ssh_.get())));
  }

  // The host key is checked before any credential is sent.
  size_t key_length = 0;
  int key_type = 0;
  const char* key = libssh2_session_hostkey(ssh_.get(), &key_length, &key_type);
  if (key == nullptr || key_length == 0) {
    broken_ = true;
    return session_.Abort(absl::UnauthenticatedError(absl::StrCat(
        "host key verification failed for ", host_, ": the server presented no host key")));
  }
  PresentedHostKey presented;
  presented.blob.assign(key, key_length);
  if (absl::Status verified = VerifyHostKey(auth.known_hosts, remote.host, remote.port, presented);
      !verified.ok()) {
    broken_ = true;
    return session_.Abort(std::move(verified));
  }
  return 0;
}

int SshStream::Authenticate() {
  const AuthOptions& auth = session_.auth();
  const RemoteUrl& remote = session_.remote_url();
  std::string user = remote.user.empty() ? "git" : remote.user;
  bool encrypted = SshPrivateKeyIsEncrypted(auth.ssh_private_key);
  if (encrypted && auth.ssh_passphrase.empty()) {
    broken_ = true;
    return session_.Abort(absl::InvalidArgumentError(
        "the SSH private key is encrypted and no passphrase was given for it"));
  }
  if (!ArmTimeout("authenticating to")) return GIT_EUSER;
  char* methods =
      libssh2_userauth_list(ssh_.get(), user.data(), static_cast<unsigned>(user.size()));
  if (methods == nullptr) {
    if (libssh2_userauth_authenticated(ssh_.get())) return 0;  // "none" was enough
    int code = libssh2_session_last_errno(ssh_.get());
    return Failed(
        code, "authenticating to", absl::StatusCode::kUnavailable,
        absl::StrCat("the SSH server ", host_,
                     " ended the session before authentication: ", LastSshError(ssh_.get())));
  }
  std::vector<absl::string_view> offered = absl::StrSplit(methods, ',');
  if (std::find(offered.begin(), offered.end(), "publickey") == offered.end()) {
    broken_ = true;
    return session_.Abort(absl::UnauthenticatedError(
        absl::StrCat("the SSH server does not accept public-key authentication for user ", user,
                     " (it offers ", methods, ")")));
  }
  if (!ArmTimeout("authenticating to")) return GIT_EUSER;
  int code = libssh2_userauth_publickey_frommemory(
      ssh_.get(), user.data(), user.size(), nullptr, 0, auth.ssh_private_key.data(),
      auth.ssh_private_key.size(),
      auth.ssh_passphrase.empty() ? nullptr : auth.ssh_passphrase.c_str());
  if (code == 0) return 0;
  switch (code) {
    case LIBSSH2_ERROR_FILE:
    case LIBSSH2_ERROR_KEYFILE_AUTH_FAILED:
      // libssh2's message for these is about files and formats; it never holds the passphrase.
      broken_ = true;
      if (encrypted) {
        return session_.Abort(absl::InvalidArgumentError(
            "the SSH private key cannot be decrypted: wrong passphrase"));
      }
      return session_.Abort(absl::InvalidArgumentError(
          absl::StrCat("the SSH private key cannot be used: ", LastSshError(ssh_.get()))));
    case LIBSSH2_ERROR_AUTHENTICATION_FAILED:
    case LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED:
      broken_ = true;
      return session_.Abort(absl::UnauthenticatedError(
          absl::StrCat("the SSH server refused the private key for user ", user,
                       " (is its public key authorized for this repository?)")));
    default:
      return Failed(
          code, "authenticating to", absl::StatusCode::kUnavailable,
          absl::StrCat("SSH authentication to ", host_, " failed: ", LastSshError(ssh_.get())));
  }
}

int SshStream::StartService() {
  if (!ArmTimeout("opening a channel to")) return GIT_EUSER;
  channel_.reset(libssh2_channel_open_session(ssh_.get()));
  if (!channel_) {
    int code = libssh2_session_last_errno(ssh_.get());
    return Failed(code, "opening a channel to", absl::StatusCode::kUnavailable,
                  absl::StrCat("the SSH server ", host_,
                               " refused a session channel: ", LastSshError(ssh_.get())));
  }
  std::string command = SshGitCommand(service_.name, session_.remote_url().path);
  if (!ArmTimeout("starting git on")) return GIT_EUSER;
  if (int code = libssh2_channel_exec(channel_.get(), command.c_str()); code < 0) {
    return Failed(code, "starting git on", absl::StatusCode::kUnavailable,
                  absl::StrCat("the SSH server ", host_, " refused to run ", service_.name, ": ",
                               LastSshError(ssh_.get())));
  }
  return 0;
}

std::string SshStream::StderrText() {
  std::string text;
  char buffer[1024];
  libssh2_session_set_timeout(ssh_.get(), kGoodbyeTimeout.count());
  while (text.size() < 4096) {
    ssize_t count = libssh2_channel_read_stderr(channel_.get(), buffer, sizeof(buffer));
    if (count <= 0) break;
    text.append(buffer, static_cast<size_t>(count));
  }
  return std::string(absl::StripAsciiWhitespace(text));
}

int SshStream::Read(char* buffer, size_t size, size_t* bytes_read) {
  *bytes_read = 0;
  if (!ArmTimeout("waiting for")) return GIT_EUSER;
  ssize_t count = libssh2_channel_read(channel_.get(), buffer, size);
  if (count > 0) {
    *bytes_read = static_cast<size_t>(count);
    return 0;
  }
  if (count == 0) {
    // The end of the service's output. When the server said why (no such repository, access
    // denied), that is the failure; otherwise libgit2 judges whether the conversation was over.
    std::string reason = StderrText();
    if (!reason.empty()) {
      broken_ = true;
      return session_.Abort(absl::UnavailableError(
          absl::StrCat("the SSH server ", host_, " ended ", service_.name, ": ", reason)));
    }
    return 0;
  }
  return Failed(
      static_cast<int>(count), "waiting for", absl::StatusCode::kUnavailable,
      absl::StrCat("reading from the SSH server ", host_, " failed: ", LastSshError(ssh_.get())));
}

int SshStream::Write(const char* buffer, size_t length) {
  size_t written = 0;
  while (written < length) {
    if (!ArmTimeout("sending to")) return GIT_EUSER;
    ssize_t count = libssh2_channel_write(channel_.get(), buffer + written, length - written);
    if (count < 0) {
      return Failed(
          static_cast<int>(count), "sending to", absl::StatusCode::kUnavailable,
          absl::StrCat("writing to the SSH server ", host_, " failed: ", LastSshError(ssh_.get())));
    }
    written += static_cast<size_t>(count);
  }
  return 0;
}

class SshSubtransport {
 public:
  explicit SshSubtransport(git_transport* owner) : binding_{{}, this}, owner_(owner) {
    binding_.interface.action = &SshSubtransport::ActionCallback;
    binding_.interface.close = &SshSubtransport::CloseCallback;
    binding_.interface.free = &SshSubtransport::FreeCallback;
  }

  git_smart_subtransport* interface() { return &binding_.interface; }

 private:
  static SshSubtransport& From(git_smart_subtransport* subtransport) {
    return *reinterpret_cast<Binding<git_smart_subtransport, SshSubtransport>*>(subtransport)
                ->owner;
  }
  static int ActionCallback(git_smart_subtransport_stream** out,
                            git_smart_subtransport* subtransport, const char* url,
                            git_smart_service_t action) {
    return From(subtransport).Action(out, url, action);
  }
  // The smart transport frees the stream (the connection) itself before closing.
  static int CloseCallback(git_smart_subtransport* /*subtransport*/) { return 0; }
  static void FreeCallback(git_smart_subtransport* subtransport) {
    std::unique_ptr<SshSubtransport> owned(&From(subtransport));
  }

  int Action(git_smart_subtransport_stream** out, const char* url, git_smart_service_t action);

  Binding<git_smart_subtransport, SshSubtransport> binding_;
  git_transport* owner_;
  // The open connection; the stream clears this when libgit2 frees it.
  SshStream* current_ = nullptr;
};

int SshSubtransport::Action(git_smart_subtransport_stream** out, const char* /*url*/,
                            git_smart_service_t action) {
  *out = nullptr;
  SmartService service = SmartServiceOf(action);
  if (!service.advertisement) {
    // A stateful conversation: the request goes over the connection of the ref advertisement.
    if (current_ == nullptr || std::strcmp(current_->service_name(), service.name) != 0) {
      git_error_set_str(GIT_ERROR_NET, "the SSH connection was not opened for this service");
      return -1;
    }
    *out = current_->interface();
    return 0;
  }
  ConnectOptionsCopy connect;
  if (int error = git_transport_remote_connect_options(&connect.options, owner_); error < 0) {
    return error;
  }
  RemoteSession* session = RemoteSession::FromCallbacks(connect.options.callbacks);
  if (session == nullptr) {
    git_error_set_str(GIT_ERROR_NET,
                      "ssh remotes are served only for operations of lib/git (RemoteSession)");
    return -1;
  }
  auto stream = std::make_unique<SshStream>(*session, service);
  if (int error = stream->Open(); error < 0) return error;
  stream->set_owner(interface(), &current_);
  current_ = stream.get();
  *out = stream.release()->interface();
  return 0;
}

int NewSubtransport(git_smart_subtransport** out, git_transport* owner, void* /*param*/) {
  auto subtransport = std::make_unique<SshSubtransport>(owner);
  *out = subtransport.release()->interface();
  return 0;
}

int NewTransport(git_transport** out, git_remote* owner, void* param) {
  return git_transport_smart(out, owner, param);
}

}  // namespace

std::string SshGitCommand(absl::string_view service, absl::string_view path) {
  // "ssh://host/~user/repo" means a path relative to the user's home, as in git.
  if (absl::StartsWith(path, "/~")) path.remove_prefix(1);
  std::string quoted = "'";
  for (char c : path) {
    if (c == '\'') {
      quoted += "'\\''";
    } else if (c == '!') {
      quoted += "'\\!'";
    } else {
      quoted += c;
    }
  }
  quoted += "'";
  return absl::StrCat(std::string(service), " ", quoted);
}

bool SshPrivateKeyIsEncrypted(absl::string_view private_key) {
  constexpr absl::string_view kOpenSshBegin = "-----BEGIN OPENSSH PRIVATE KEY-----";
  size_t begin = private_key.find(kOpenSshBegin);
  if (begin == absl::string_view::npos) {
    // PEM: "Proc-Type: 4,ENCRYPTED" (traditional) or "BEGIN ENCRYPTED PRIVATE KEY" (PKCS#8).
    return absl::StrContains(private_key, "ENCRYPTED");
  }
  absl::string_view body = private_key.substr(begin + kOpenSshBegin.size());
  body = body.substr(0, body.find("-----END"));
  std::string compact;
  for (char c : body) {
    if (!absl::ascii_isspace(static_cast<unsigned char>(c))) compact += c;
  }
  std::string decoded;
  if (!absl::Base64Unescape(compact, &decoded)) return false;
  // "openssh-key-v1\0", then the cipher name as an SSH string: "none" when not encrypted.
  constexpr absl::string_view kMagic("openssh-key-v1\0", 15);
  if (!absl::StartsWith(decoded, kMagic) || decoded.size() < kMagic.size() + 4) return false;
  const auto* length_bytes = reinterpret_cast<const unsigned char*>(decoded.data() + kMagic.size());
  uint32_t length = (uint32_t{length_bytes[0]} << 24) | (uint32_t{length_bytes[1]} << 16) |
                    (uint32_t{length_bytes[2]} << 8) | uint32_t{length_bytes[3]};
  if (decoded.size() < kMagic.size() + 4 + length) return false;
  return decoded.substr(kMagic.size() + 4, length) != "none";
}

int RegisterSshTransport() {
  // libssh2's global state (its crypto backend); libgit2 initialises it too, and libssh2 counts.
  static const int initialised = libssh2_init(0);
  if (initialised != 0) {
    git_error_set_str(GIT_ERROR_SSH, "libssh2 cannot be initialised");
    return -1;
  }
  // libgit2 keeps the address; rpc = 0: one connection carries the whole conversation.
  static git_smart_subtransport_definition definition{&NewSubtransport, 0, nullptr};
  return git_transport_register("ssh", &NewTransport, &definition);
}

}  // namespace fluxcpp::git
