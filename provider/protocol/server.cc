#include "provider/protocol/server.h"

#include <arpa/inet.h>
#include <grp.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "provider/protocol/handshake.h"
#include "provider/protocol/log.h"
#include "provider/protocol/service.h"
#include "provider/protocol/text.h"
#include "provider/protocol/tls.h"

namespace fluxcpp::provider::protocol {
namespace {

// Makes a folder of its own for this process's socket.
absl::StatusOr<std::string> MakeSocketFolder() {
  std::string base;
  for (const char* variable : {"PLUGIN_UNIX_SOCKET_DIR", "TMPDIR"}) {
    const char* value = std::getenv(variable);
    if (value != nullptr && *value != '\0') {
      base = value;
      break;
    }
  }
  if (base.empty()) base = "/tmp";
  std::string pattern = Cat(base, "/plugin-flux-XXXXXX");
  if (::mkdtemp(pattern.data()) == nullptr) {
    return absl::FailedPreconditionError(
        Cat("creating the socket folder ", pattern, ": ", std::strerror(errno),
            " (set PLUGIN_UNIX_SOCKET_DIR or TMPDIR to a writable folder)"));
  }
  return pattern;
}

// Removes a folder and everything in it when it goes out of scope.
class RemoveOnExit {
 public:
  explicit RemoveOnExit(std::string path) : path_(std::move(path)) {}
  ~RemoveOnExit() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  RemoveOnExit(const RemoveOnExit&) = delete;
  RemoveOnExit& operator=(const RemoveOnExit&) = delete;

 private:
  std::string path_;
};

// Lets the core's group reach the socket when it asks (PLUGIN_UNIX_SOCKET_GROUP: a name or id).
absl::Status ApplySocketGroup(const std::string& socket_path) {
  const char* group = std::getenv("PLUGIN_UNIX_SOCKET_GROUP");
  if (group == nullptr || *group == '\0') return absl::OkStatus();
  gid_t gid = 0;
  const std::string_view group_text = group;
  if (std::from_chars(group_text.data(), group_text.data() + group_text.size(), gid).ptr !=
      group_text.data() + group_text.size()) {
    const struct group* entry = ::getgrnam(group);
    if (entry == nullptr) {
      return absl::NotFoundError(
          Cat("PLUGIN_UNIX_SOCKET_GROUP names group \"", group, "\", which does not exist"));
    }
    gid = entry->gr_gid;
  }
  if (::chown(socket_path.c_str(), static_cast<uid_t>(-1), gid) != 0 ||
      ::chmod(socket_path.c_str(), 0660) != 0) {
    return absl::PermissionDeniedError(
        Cat("giving group ", group, " the socket ", socket_path, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

// Writes all of `text` to stdout unbuffered, so the core sees the handshake line at once.
bool WriteStdout(std::string_view text) {
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(STDOUT_FILENO, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    written += static_cast<size_t>(n);
  }
  return true;
}

int Fail(absl::string_view message) {
  Log(LogLevel::kError, View(message));
  return 1;
}

// A port number from the environment variable `name`, or `fallback` when it is unset.
absl::StatusOr<int> PortFromEnvironment(const char* name, int fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  int port = 0;
  const char* end = text + std::strlen(text);
  auto [stop, error] = std::from_chars(text, end, port);
  if (error != std::errc() || stop != end || port < 0 || port > 65535) {
    return absl::InvalidArgumentError(Cat(name, "=", text, " is not a port number"));
  }
  return port;
}

// Whether nothing listens on 127.0.0.1:`port` yet (as go-plugin does, ports are tried in turn).
bool LoopbackPortFree(int port) {
  const int socket_fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (socket_fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool bound = ::bind(socket_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(socket_fd);
  return bound;
}

// The TCP address to listen on: the first free port of go-plugin's PLUGIN_MIN_PORT..MAX_PORT
// range, or port 0 (the system picks) when the core gave no range.
absl::StatusOr<std::string> TcpListenAddress() {
  absl::StatusOr<int> low = PortFromEnvironment("PLUGIN_MIN_PORT", 0);
  if (!low.ok()) return low.status();
  absl::StatusOr<int> high = PortFromEnvironment("PLUGIN_MAX_PORT", 0);
  if (!high.ok()) return high.status();
  if (*low == 0 && *high == 0) return std::string("127.0.0.1:0");
  if (*low == 0 || *high < *low) {
    return absl::InvalidArgumentError(
        Cat("PLUGIN_MIN_PORT=", *low, " and PLUGIN_MAX_PORT=", *high, " do not make a port range"));
  }
  for (int port = *low; port <= *high; ++port) {
    if (LoopbackPortFree(port)) return Cat("127.0.0.1:", port);
  }
  return absl::UnavailableError(
      Cat("no free port between PLUGIN_MIN_PORT=", *low, " and PLUGIN_MAX_PORT=", *high));
}

}  // namespace

int Serve(Provider& provider, const ServeOptions& options) {
  if (!options.debug && !MagicCookieMatches(std::getenv(std::string(kMagicCookieKey).c_str()))) {
    std::fputs(std::string(kNotAPluginMessage).c_str(), stderr);
    return 1;
  }
  absl::StatusOr<int> version = NegotiateProtocolVersion(std::getenv("PLUGIN_PROTOCOL_VERSIONS"));
  if (!version.ok()) return Fail(version.status().message());

  // Ctrl-C reaches the whole process group; the core decides when its plugins stop (StopProvider,
  // then Shutdown). A person debugging stops the server with Ctrl-C instead.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  if (options.debug) {
    sigaddset(&stop_signals, SIGINT);
  } else {
    ::signal(SIGINT, SIG_IGN);
  }
  // Blocked before gRPC starts its threads, so only the watcher below receives them.
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  // Declared before the server, so a socket folder goes only after the server has stopped.
  std::optional<RemoveOnExit> remove_folder;
  std::string listen_address;  // as gRPC takes it: "unix:/path" or "127.0.0.1:port"
  std::string socket_path;
  if (options.tcp) {
    absl::StatusOr<std::string> address = TcpListenAddress();
    if (!address.ok()) return Fail(address.status().message());
    listen_address = *address;
  } else {
    absl::StatusOr<std::string> folder = MakeSocketFolder();
    if (!folder.ok()) return Fail(folder.status().message());
    remove_folder.emplace(*folder);
    socket_path = Cat(*folder, "/plugin.sock");
    if (socket_path.size() >= sizeof(sockaddr_un::sun_path)) {
      return Fail(Cat("the socket path ", socket_path, " is longer than ",
                      sizeof(sockaddr_un::sun_path) - 1,
                      " bytes; set PLUGIN_UNIX_SOCKET_DIR or TMPDIR to a shorter folder"));
    }
    listen_address = Cat("unix:", socket_path);
  }

  std::shared_ptr<grpc::ServerCredentials> credentials;
  std::string certificate_der;
  const char* client_certificate = std::getenv("PLUGIN_CLIENT_CERT");
  if (!options.debug && client_certificate != nullptr && *client_certificate != '\0') {
    absl::StatusOr<ServerCertificate> certificate = GenerateServerCertificate();
    if (!certificate.ok()) return Fail(certificate.status().message());
    grpc::SslServerCredentialsOptions tls(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    // The core's certificate is the only root: no other client can connect.
    tls.pem_root_certs = client_certificate;
    tls.pem_key_cert_pairs.push_back({certificate->private_key_pem, certificate->certificate_pem});
    credentials = grpc::SslServerCredentials(tls);
    certificate_der = std::move(certificate->certificate_der);
  } else {
    credentials = grpc::InsecureServerCredentials();
  }

  ShutdownSignal shutdown;
  ProviderService provider_service(provider);
  ControllerService controller_service(shutdown);
  StdioService stdio_service(shutdown);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  int selected_port = 0;
  builder.AddListeningPort(listen_address, credentials, options.tcp ? &selected_port : nullptr);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  builder.RegisterService(&provider_service);
  builder.RegisterService(&controller_service);
  builder.RegisterService(&stdio_service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || (options.tcp && selected_port == 0)) {
    return Fail(
        Cat("the gRPC server could not listen on ", listen_address, " (see the gRPC error above)"));
  }
  // go-plugin's health service reports the service name "plugin".
  server->GetHealthCheckService()->SetServingStatus("plugin", true);
  const std::string network = options.tcp ? "tcp" : "unix";
  const std::string address = options.tcp ? Cat("127.0.0.1:", selected_port) : socket_path;
  if (!options.tcp) {
    if (absl::Status status = ApplySocketGroup(socket_path); !status.ok()) {
      return Fail(status.message());
    }
  }

  std::thread signal_watcher([&shutdown, &stop_signals] {
    const timespec poll = {.tv_sec = 0, .tv_nsec = 200'000'000};
    while (!shutdown.requested()) {
      if (sigtimedwait(&stop_signals, nullptr, &poll) > 0 && !shutdown.requested()) {
        Log(LogLevel::kInfo, "stopping on a signal");
        shutdown.Request();
      }
    }
  });

  bool announced = false;
  if (options.debug) {
    announced = WriteStdout(
        Cat("Provider started in debug mode. To attach tofu or terraform, run in their shell:\n\n"
            "  export TF_REATTACH_PROVIDERS='",
            ReattachProvidersJson(options.provider_addresses, static_cast<int>(::getpid()), network,
                                  address),
            "'\n\nStop the provider with Ctrl-C.\n"));
  } else {
    announced = WriteStdout(FormatHandshakeLine({.app_protocol_version = *version,
                                                 .network = network,
                                                 .address = address,
                                                 .server_certificate_der = certificate_der}));
    // The core reads nothing after the handshake; stray output of a library goes to the log.
    ::dup2(STDERR_FILENO, STDOUT_FILENO);
  }
  if (!announced) {
    shutdown.Request();
  } else {
    Log(LogLevel::kDebug, "plugin server listening",
        {{"network", network},
         {"address", address},
         {"tls", certificate_der.empty() ? "false" : "true"}});
    shutdown.WaitFor(absl::InfiniteDuration());
  }

  // The core kills the process 2 s after Shutdown; in-flight calls get a fraction of that.
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
  server->Wait();
  // Wakes the watcher from its wait at once (the signal is blocked, so it is only consumed there).
  ::pthread_kill(signal_watcher.native_handle(), SIGTERM);
  signal_watcher.join();
  Log(LogLevel::kDebug, "plugin server stopped");
  return announced ? 0 : 1;
}

}  // namespace fluxcpp::provider::protocol
