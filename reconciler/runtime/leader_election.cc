#include "reconciler/runtime/leader_election.h"

#include <unistd.h>

#include <cmath>
#include <ctime>
#include <random>
#include <thread>

#include "lib/kube/errors.h"
#include "reconciler/runtime/log.h"

namespace fluxcpp::reconciler {
namespace {

using manifest::Json;

const manifest::GroupVersionKind kLeaseKind{"coordination.k8s.io", "v1", "Lease"};

// metav1.MicroTime: RFC 3339 in UTC with microseconds.
std::string FormatMicroTime(std::chrono::system_clock::time_point time) {
  auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(micros / 1'000'000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[96];
  std::snprintf(buffer, sizeof(buffer), "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(micros % 1'000'000));
  return buffer;
}

// Reads "2026-11-29T13:40:00Z" or with a fraction; nothing for other text.
std::optional<std::chrono::system_clock::time_point> ParseTime(const std::string& text) {
  std::tm utc{};
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &utc.tm_year, &utc.tm_mon,
                  &utc.tm_mday, &utc.tm_hour, &utc.tm_min, &utc.tm_sec, &consumed) != 6) {
    return std::nullopt;
  }
  utc.tm_year -= 1900;
  utc.tm_mon -= 1;
  double fraction = 0;
  if (static_cast<size_t>(consumed) < text.size() && text[consumed] == '.') {
    fraction = std::atof(("0" + text.substr(consumed)).c_str());
  }
  return std::chrono::system_clock::from_time_t(timegm(&utc)) +
         std::chrono::microseconds(static_cast<int64_t>(std::llround(fraction * 1e6)));
}

void SleepUnlessStopped(std::chrono::milliseconds duration, const std::atomic<bool>& stop) {
  auto until = std::chrono::steady_clock::now() + duration;
  while (!stop.load() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

int64_t WholeSeconds(std::chrono::milliseconds duration) {
  return std::max<int64_t>(1, (duration.count() + 999) / 1000);
}

}  // namespace

std::string DefaultLeaderIdentity() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0')
    std::snprintf(host, 9, "unknown");
  constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::mt19937_64 random(std::random_device{}());
  std::string suffix;
  for (int i = 0; i < 8; ++i) suffix.push_back(kAlphabet[random() % kAlphabet.size()]);
  return std::string(host) + "_" + suffix;
}

LeaderElector::LeaderElector(kube::Client& client, LeaderElectionOptions options)
    : client_(client), options_(std::move(options)) {
  if (options_.identity.empty()) options_.identity = DefaultLeaderIdentity();
}

std::string LeaderElector::Describe() const {
  return "Lease/" + options_.namespace_name + "/" + options_.lease_name;
}

absl::StatusOr<bool> LeaderElector::TryAcquireOrRenew() {
  auto now = std::chrono::system_clock::now();
  std::string now_text = FormatMicroTime(now);
  auto existing = client_.Get(kLeaseKind, options_.namespace_name, options_.lease_name);
  if (!existing.ok() && !kube::IsNotFoundError(existing.status())) return existing.status();
  if (!existing.ok()) {
    Json lease = {
        {"apiVersion", "coordination.k8s.io/v1"},
        {"kind", "Lease"},
        {"metadata", {{"name", options_.lease_name}, {"namespace", options_.namespace_name}}},
        {"spec",
         {{"holderIdentity", options_.identity},
          {"leaseDurationSeconds", WholeSeconds(options_.lease_duration)},
          {"acquireTime", now_text},
          {"renewTime", now_text},
          {"leaseTransitions", 0}}}};
    auto created = client_.Create(manifest::Object(std::move(lease)));
    if (created.ok()) {
      observed_holder_ = options_.identity;
      return true;
    }
    if (kube::IsAlreadyExistsError(created.status())) return false;  // another candidate won
    return created.status();
  }

  Json& spec = existing->json()["spec"];
  if (!spec.is_object()) spec = Json::object();
  std::string holder = spec.value("holderIdentity", "");
  observed_holder_ = holder;
  if (!holder.empty() && holder != options_.identity) {
    int64_t duration_seconds = spec.value("leaseDurationSeconds", int64_t{0});
    auto renewed = ParseTime(spec.value("renewTime", ""));
    bool expired = !renewed || *renewed + std::chrono::seconds(duration_seconds) < now;
    if (!expired) return false;
  }
  if (holder != options_.identity) {
    spec["acquireTime"] = now_text;
    spec["leaseTransitions"] = spec.value("leaseTransitions", int64_t{0}) + 1;
  }
  spec["holderIdentity"] = options_.identity;
  spec["leaseDurationSeconds"] = WholeSeconds(options_.lease_duration);
  spec["renewTime"] = now_text;
  // The resourceVersion read above makes this a compare-and-swap: Conflict means someone else
  // wrote the Lease meanwhile.
  auto updated = client_.Update(*existing);
  if (updated.ok()) {
    observed_holder_ = options_.identity;
    return true;
  }
  if (kube::IsConflictError(updated.status())) return false;
  return updated.status();
}

absl::Status LeaderElector::Acquire(const std::atomic<bool>& stop) {
  LogInfo("attempting to acquire leader lease",
          {{"lease", Describe()}, {"identity", options_.identity}});
  while (!stop.load()) {
    auto acquired = TryAcquireOrRenew();
    if (acquired.ok() && *acquired) {
      LogInfo("successfully acquired lease",
              {{"lease", Describe()}, {"identity", options_.identity}});
      return absl::OkStatus();
    }
    if (!acquired.ok()) {
      LogError("error acquiring lease",
               {{"lease", Describe()}, {"error", std::string(acquired.status().message())}});
    }
    SleepUnlessStopped(options_.retry_period, stop);
  }
  return absl::CancelledError(Describe() + ": stopped before leadership was acquired");
}

absl::Status LeaderElector::KeepLeading(const std::atomic<bool>& stop) {
  auto last_renewal = std::chrono::steady_clock::now();
  while (true) {
    SleepUnlessStopped(options_.retry_period, stop);
    if (stop.load()) return absl::OkStatus();
    auto renewed = TryAcquireOrRenew();
    if (renewed.ok() && *renewed) {
      last_renewal = std::chrono::steady_clock::now();
      continue;
    }
    if (renewed.ok() && !observed_holder_.empty() && observed_holder_ != options_.identity) {
      return absl::AbortedError(Describe() + ": leadership lost to " + observed_holder_);
    }
    std::string why =
        renewed.ok() ? "the Lease changed concurrently" : std::string(renewed.status().message());
    LogError("failed to renew lease", {{"lease", Describe()}, {"error", why}});
    if (std::chrono::steady_clock::now() - last_renewal > options_.renew_deadline) {
      return absl::AbortedError(Describe() + ": leadership lost, no renewal within the renew " +
                                "deadline: " + why);
    }
  }
}

absl::Status LeaderElector::Release() {
  auto existing = client_.Get(kLeaseKind, options_.namespace_name, options_.lease_name);
  if (!existing.ok()) {
    return kube::IsNotFoundError(existing.status()) ? absl::OkStatus() : existing.status();
  }
  Json& spec = existing->json()["spec"];
  if (!spec.is_object() || spec.value("holderIdentity", "") != options_.identity) {
    return absl::OkStatus();
  }
  std::string now_text = FormatMicroTime(std::chrono::system_clock::now());
  // As client-go releases: no holder, and a lease that is over a second from now.
  spec["holderIdentity"] = "";
  spec["leaseDurationSeconds"] = 1;
  spec["acquireTime"] = now_text;
  spec["renewTime"] = now_text;
  auto updated = client_.Update(*existing);
  if (!updated.ok()) return updated.status();
  LogInfo("released leader lease", {{"lease", Describe()}, {"identity", options_.identity}});
  return absl::OkStatus();
}

}  // namespace fluxcpp::reconciler
