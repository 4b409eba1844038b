#include "lib/openpgp/openpgp.h"

#include <fcntl.h>
#include <gpgme.h>
#include <openssl/crypto.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cctype>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <system_error>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"

extern char** environ;

namespace fluxcpp::openpgp {
namespace {

struct ContextRelease {
  void operator()(gpgme_ctx_t ctx) const { gpgme_release(ctx); }
};
struct DataRelease {
  void operator()(gpgme_data_t data) const { gpgme_data_release(data); }
};
struct KeyRelease {
  void operator()(gpgme_key_t key) const { gpgme_key_unref(key); }
};
using ContextHandle = std::unique_ptr<std::remove_pointer_t<gpgme_ctx_t>, ContextRelease>;
using DataHandle = std::unique_ptr<std::remove_pointer_t<gpgme_data_t>, DataRelease>;
using KeyHandle = std::unique_ptr<std::remove_pointer_t<gpgme_key_t>, KeyRelease>;

std::string GpgError(gpgme_error_t error) { return gpgme_strerror(error); }

void EnsureGpgme() {
  static std::once_flag initialized;
  std::call_once(initialized, [] { gpgme_check_version(nullptr); });
}

std::string FormatDate(long seconds) {
  return absl::FormatTime("%Y-%m-%d", absl::FromTimeT(static_cast<time_t>(seconds)),
                          absl::UTCTimeZone());
}

// Makes a folder only its owner can enter, in memory when /dev/shm exists.
std::string MakePrivateHome() {
  std::error_code error;
  std::string parent = std::filesystem::is_directory("/dev/shm", error) ? "/dev/shm" : "/tmp";
  std::string pattern = parent + "/fluxcpp-gnupg-XXXXXX";
  char* made = mkdtemp(pattern.data());
  if (made == nullptr) return "";
  // gpg-agent re-protects an imported protected key at its first use with a passphrase hashing
  // it calibrates first, which costs seconds on a busy machine. The folder lives only as long as
  // the Context and only its owner can enter it, so the minimum stretching is enough there.
  std::ofstream(std::string(made) + "/gpg-agent.conf") << "s2k-count 65536\n";
  return made;
}

// Stops the gpg-agent that gpg started for `home`, if any; it would otherwise linger until it
// notices its socket is gone.
void StopAgent(const std::string& home) {
  std::error_code error;
  if (!std::filesystem::exists(std::filesystem::path(home) / "S.gpg-agent", error)) return;
  const char* gpgconf = gpgme_get_dirinfo("gpgconf-name");
  if (gpgconf == nullptr) return;
  std::vector<std::string> args = {gpgconf, "--homedir", home, "--kill", "gpg-agent"};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  if (posix_spawn(&pid, gpgconf, &actions, nullptr, argv.data(), environ) == 0) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  posix_spawn_file_actions_destroy(&actions);
}

std::string KeyIdOf(gpgme_key_t key) {
  return key->subkeys != nullptr && key->subkeys->keyid != nullptr
             ? absl::AsciiStrToUpper(key->subkeys->keyid)
             : std::string("(no id)");
}

// Why `key` cannot make signatures, or OK.
absl::Status CheckCanSign(gpgme_key_t key) {
  const std::string label = absl::StrCat("OpenPGP key ", KeyIdOf(key));
  if (key->revoked) return absl::FailedPreconditionError(label + " is revoked");
  if (key->disabled) return absl::FailedPreconditionError(label + " is disabled");
  if (key->expired) {
    return absl::FailedPreconditionError(
        absl::StrCat(label, " expired on ", FormatDate(key->subkeys->expires)));
  }
  long expired_signing_subkey = 0;
  for (gpgme_subkey_t subkey = key->subkeys; subkey != nullptr; subkey = subkey->next) {
    if (!subkey->can_sign || subkey->revoked || subkey->disabled || subkey->invalid) continue;
    if (subkey->expired) {
      expired_signing_subkey = subkey->expires;
      continue;
    }
    if (!subkey->secret) continue;
    return absl::OkStatus();
  }
  if (expired_signing_subkey != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(label, "'s signing subkey expired on ", FormatDate(expired_signing_subkey)));
  }
  return absl::FailedPreconditionError(label + " has no secret key that can sign");
}

}  // namespace

struct Context::State {
  std::string home;
  ContextHandle ctx;
  std::string passphrase;
  KeyHandle signing_key;
  std::string signing_key_id;
  // What the last operation's passphrase requests found, for its error message.
  bool passphrase_missing = false;
  bool passphrase_rejected = false;

  ~State() {
    ctx.reset();
    signing_key.reset();
    if (!home.empty()) {
      StopAgent(home);
      std::error_code error;
      std::filesystem::remove_all(home, error);
    }
    if (!passphrase.empty()) OPENSSL_cleanse(passphrase.data(), passphrase.size());
  }

  void StartOperation() {
    passphrase_missing = false;
    passphrase_rejected = false;
  }

  // A gpgme error of an operation that may have asked for the passphrase, as a status.
  absl::Status OperationError(gpgme_error_t error, absl::string_view what) const {
    std::string key = signing_key_id.empty() ? "the OpenPGP key" : "OpenPGP key " + signing_key_id;
    if (passphrase_rejected || gpgme_err_code(error) == GPG_ERR_BAD_PASSPHRASE) {
      return absl::PermissionDeniedError(absl::StrCat(what, ": wrong passphrase for ", key));
    }
    if (passphrase_missing || gpgme_err_code(error) == GPG_ERR_NO_PASSPHRASE) {
      return absl::PermissionDeniedError(
          absl::StrCat(what, ": ", key, " is protected by a passphrase and none was given"));
    }
    if (gpgme_err_code(error) == GPG_ERR_NO_SECKEY) {
      return absl::NotFoundError(absl::StrCat(what, ": the secret part of ", key, " is missing"));
    }
    return absl::InternalError(
        absl::StrCat(what, ": ", GpgError(error),
                     signing_key_id.empty() ? "" : " (OpenPGP key " + signing_key_id + ")"));
  }
};

namespace {

gpgme_error_t AnswerPassphrase(void* hook, const char* /*uid_hint*/, const char* /*info*/,
                               int previous_was_bad, int fd) {
  auto* state = static_cast<Context::State*>(hook);
  // Loopback pinentry asks again after a wrong passphrase; the same answer would be wrong again.
  if (previous_was_bad) {
    state->passphrase_rejected = true;
    return gpg_error(GPG_ERR_CANCELED);
  }
  if (state->passphrase.empty()) {
    state->passphrase_missing = true;
    return gpg_error(GPG_ERR_CANCELED);
  }
  if (gpgme_io_writen(fd, state->passphrase.data(), state->passphrase.size()) != 0 ||
      gpgme_io_writen(fd, "\n", 1) != 0) {
    return gpg_error(GPG_ERR_EIO);
  }
  return 0;
}

}  // namespace

absl::StatusOr<std::string> NormalizeKeyId(std::string_view key_id) {
  std::string_view digits = key_id;
  if (digits.substr(0, 2) == "0x" || digits.substr(0, 2) == "0X") digits.remove_prefix(2);
  bool valid = digits.size() == 16;
  for (char c : digits) valid = valid && std::isxdigit(static_cast<unsigned char>(c)) != 0;
  if (!valid) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", std::string(key_id),
                     "' is not an OpenPGP key id (16 hexadecimal digits, optionally after 0x)"));
  }
  return absl::AsciiStrToUpper(std::string(digits));
}

Context::Context(std::unique_ptr<State> state) : state_(std::move(state)) {}
Context::~Context() = default;

const std::string& Context::home() const { return state_->home; }

absl::StatusOr<std::unique_ptr<Context>> Context::Create() {
  EnsureGpgme();
  if (gpgme_error_t error = gpgme_engine_check_version(GPGME_PROTOCOL_OpenPGP); error != 0) {
    return absl::InternalError("OpenPGP: GnuPG (gpg) is not usable: " + GpgError(error));
  }
  auto state = std::make_unique<State>();
  state->home = MakePrivateHome();
  if (state->home.empty()) {
    return absl::InternalError("OpenPGP: cannot create a private GnuPG home folder");
  }
  gpgme_ctx_t raw_ctx = nullptr;
  if (gpgme_error_t error = gpgme_new(&raw_ctx); error != 0) {
    return absl::InternalError("OpenPGP: gpgme: " + GpgError(error));
  }
  state->ctx.reset(raw_ctx);
  if (gpgme_error_t error = gpgme_ctx_set_engine_info(state->ctx.get(), GPGME_PROTOCOL_OpenPGP,
                                                      nullptr, state->home.c_str());
      error != 0) {
    return absl::InternalError("OpenPGP: gpgme: " + GpgError(error));
  }
  if (gpgme_error_t error = gpgme_set_pinentry_mode(state->ctx.get(), GPGME_PINENTRY_MODE_LOOPBACK);
      error != 0) {
    return absl::InternalError("OpenPGP: gpgme cannot ask for passphrases: " + GpgError(error));
  }
  gpgme_set_passphrase_cb(state->ctx.get(), AnswerPassphrase, state.get());
  return std::unique_ptr<Context>(new Context(std::move(state)));
}

void Context::SetPassphrase(std::string_view passphrase) {
  if (!state_->passphrase.empty()) {
    OPENSSL_cleanse(state_->passphrase.data(), state_->passphrase.size());
  }
  state_->passphrase = std::string(passphrase);
}

absl::Status Context::ImportKeyRing(std::string_view armored, std::string_view source) {
  const std::string label(source);
  if (armored.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return absl::InvalidArgumentError(label + ": the OpenPGP key ring is empty");
  }
  gpgme_data_t raw_data = nullptr;
  if (gpgme_data_new_from_mem(&raw_data, armored.data(), armored.size(), 0) != 0) {
    return absl::InternalError(label + ": gpgme cannot hold the key ring");
  }
  DataHandle data(raw_data);
  state_->StartOperation();
  gpgme_error_t error = gpgme_op_import(state_->ctx.get(), data.get());
  if (error != 0) {
    if (state_->passphrase_rejected || state_->passphrase_missing) {
      return state_->OperationError(error, label + ": import the OpenPGP key ring");
    }
    return absl::InvalidArgumentError(
        absl::StrCat(label, ": not an OpenPGP key ring: ", GpgError(error)));
  }
  gpgme_import_result_t result = gpgme_op_import_result(state_->ctx.get());
  if (result == nullptr || result->considered == 0) {
    return absl::InvalidArgumentError(
        label +
        ": holds no OpenPGP key (an armored key ring as `gpg --export-secret-keys --armor` "
        "writes it is expected)");
  }
  if (result->not_imported > 0 && result->imported == 0 && result->unchanged == 0 &&
      result->secret_imported == 0 && result->secret_unchanged == 0) {
    for (gpgme_import_status_t status = result->imports; status != nullptr; status = status->next) {
      if (status->result != 0) {
        return state_->OperationError(status->result, label + ": import the OpenPGP key ring");
      }
    }
    return absl::InvalidArgumentError(label + ": none of its OpenPGP keys could be imported");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Context::SelectSigningKey(std::string_view key_id) {
  std::string wanted;
  if (!key_id.empty()) {
    absl::StatusOr<std::string> normalized = NormalizeKeyId(key_id);
    if (!normalized.ok()) return normalized.status();
    wanted = *normalized;
  }
  gpgme_ctx_t ctx = state_->ctx.get();
  if (gpgme_error_t error = gpgme_op_keylist_start(ctx, nullptr, /*secret_only=*/1); error != 0) {
    return absl::InternalError("OpenPGP: cannot list the secret keys: " + GpgError(error));
  }
  std::vector<KeyHandle> keys;
  gpgme_key_t raw_key = nullptr;
  gpgme_error_t error = 0;
  while ((error = gpgme_op_keylist_next(ctx, &raw_key)) == 0) keys.emplace_back(raw_key);
  gpgme_op_keylist_end(ctx);
  if (gpgme_err_code(error) != GPG_ERR_EOF) {
    return absl::InternalError("OpenPGP: cannot list the secret keys: " + GpgError(error));
  }
  if (keys.empty()) {
    return absl::NotFoundError(
        "the OpenPGP key ring holds no secret key (export one with `gpg --export-secret-keys "
        "--armor KEYID`)");
  }
  KeyHandle* chosen = nullptr;
  absl::Status first_problem;
  for (KeyHandle& key : keys) {
    if (!wanted.empty()) {
      for (gpgme_subkey_t subkey = key->subkeys; subkey != nullptr; subkey = subkey->next) {
        if (subkey->keyid != nullptr && absl::AsciiStrToUpper(subkey->keyid) == wanted) {
          chosen = &key;
        }
      }
      if (chosen != nullptr) {
        if (absl::Status usable = CheckCanSign(chosen->get()); !usable.ok()) return usable;
        break;
      }
      continue;
    }
    absl::Status usable = CheckCanSign(key.get());
    if (usable.ok()) {
      chosen = &key;
      break;
    }
    if (first_problem.ok()) first_problem = usable;
  }
  if (chosen == nullptr && !wanted.empty()) {
    std::vector<std::string> ids;
    for (const KeyHandle& key : keys) ids.push_back(KeyIdOf(key.get()));
    return absl::NotFoundError(absl::StrCat("OpenPGP key id ", wanted,
                                            " is not a secret key of the key ring (it holds ",
                                            absl::StrJoin(ids, ", "), ")"));
  }
  if (chosen == nullptr) return first_problem;
  state_->signing_key_id = KeyIdOf(chosen->get());
  state_->signing_key = std::move(*chosen);
  return state_->signing_key_id;
}

absl::StatusOr<std::string> Context::SignDetached(std::string_view data) {
  if (state_->signing_key == nullptr) {
    return absl::FailedPreconditionError("OpenPGP: no signing key was selected");
  }
  gpgme_ctx_t ctx = state_->ctx.get();
  const std::string what = "sign with OpenPGP key " + state_->signing_key_id;
  gpgme_signers_clear(ctx);
  if (gpgme_error_t error = gpgme_signers_add(ctx, state_->signing_key.get()); error != 0) {
    return absl::InternalError(absl::StrCat(what, ": ", GpgError(error)));
  }
  gpgme_set_armor(ctx, 1);
  gpgme_set_textmode(ctx, 0);
  gpgme_data_t raw_in = nullptr;
  if (gpgme_data_new_from_mem(&raw_in, data.data(), data.size(), 0) != 0) {
    return absl::InternalError(what + ": gpgme out of memory");
  }
  DataHandle in(raw_in);
  gpgme_data_t raw_out = nullptr;
  if (gpgme_data_new(&raw_out) != 0) return absl::InternalError(what + ": gpgme out of memory");
  DataHandle out(raw_out);
  state_->StartOperation();
  gpgme_error_t error = gpgme_op_sign(ctx, in.get(), out.get(), GPGME_SIG_MODE_DETACH);
  gpgme_sign_result_t result = gpgme_op_sign_result(ctx);
  if (error == 0 && result != nullptr && result->invalid_signers != nullptr) {
    error = result->invalid_signers->reason;
    if (error == 0) error = gpg_error(GPG_ERR_UNUSABLE_SECKEY);
  }
  if (error == 0 && (result == nullptr || result->signatures == nullptr)) {
    error = gpg_error(GPG_ERR_GENERAL);
  }
  if (error != 0) return state_->OperationError(error, "cannot sign");
  size_t length = 0;
  char* bytes = gpgme_data_release_and_get_mem(out.release(), &length);
  if (bytes == nullptr) return absl::InternalError(what + ": gpgme returned no signature");
  std::string signature(bytes, length);
  gpgme_free(bytes);
  return signature;
}

absl::Status Context::Decrypt(std::string_view message,
                              absl::FunctionRef<void(std::string_view)> receive) {
  gpgme_data_t raw_cipher = nullptr;
  if (gpgme_data_new_from_mem(&raw_cipher, message.data(), message.size(), 0) != 0) {
    return absl::InternalError("OpenPGP: gpgme out of memory");
  }
  DataHandle cipher(raw_cipher);
  gpgme_data_t raw_plain = nullptr;
  if (gpgme_data_new(&raw_plain) != 0) return absl::InternalError("OpenPGP: gpgme out of memory");
  DataHandle plain(raw_plain);
  state_->StartOperation();
  gpgme_error_t error = gpgme_op_decrypt(state_->ctx.get(), cipher.get(), plain.get());
  size_t length = 0;
  char* bytes = gpgme_data_release_and_get_mem(plain.release(), &length);
  if (error == 0 && bytes != nullptr) receive(std::string_view(bytes, length));
  if (bytes != nullptr) {
    OPENSSL_cleanse(bytes, length);
    gpgme_free(bytes);
  }
  if (error == 0) return absl::OkStatus();
  if (state_->passphrase_rejected || state_->passphrase_missing) {
    return state_->OperationError(error, "decrypt");
  }
  return absl::PermissionDeniedError("decrypt: " + GpgError(error));
}

absl::StatusOr<std::unique_ptr<Context>> SigningContext(const SigningKey& key,
                                                        std::string_view source) {
  absl::StatusOr<std::unique_ptr<Context>> context = Context::Create();
  if (!context.ok()) return context.status();
  (*context)->SetPassphrase(key.passphrase);
  if (absl::Status imported = (*context)->ImportKeyRing(key.armored_key_ring, source);
      !imported.ok()) {
    return imported;
  }
  absl::StatusOr<std::string> selected = (*context)->SelectSigningKey(key.key_id);
  if (!selected.ok()) {
    return absl::Status(selected.status().code(),
                        absl::StrCat(std::string(source), ": ", selected.status().message()));
  }
  return context;
}

}  // namespace fluxcpp::openpgp
