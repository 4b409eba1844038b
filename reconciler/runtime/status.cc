#include "reconciler/runtime/status.h"

#include <cmath>
#include <ctime>

#include "absl/strings/str_cat.h"

namespace fluxcpp::reconciler {
namespace {

using manifest::Json;

Json* MutableCondition(Json& conditions, std::string_view type) {
  for (Json& entry : conditions) {
    if (entry.is_object() && entry.value("type", "") == type) return &entry;
  }
  return nullptr;
}

// Units Go's time.ParseDuration knows, longest spelling first where one is a prefix of another.
struct DurationUnit {
  std::string_view name;
  double milliseconds;
};
constexpr DurationUnit kDurationUnits[] = {{"ns", 1e-6}, {"us", 1e-3}, {"µs", 1e-3}, {"ms", 1},
                                           {"s", 1e3},   {"m", 60e3},  {"h", 3600e3}};

}  // namespace

void SetCondition(Json& conditions, const Condition& condition,
                  std::chrono::system_clock::time_point now) {
  if (!conditions.is_array()) conditions = Json::array();
  Json* existing = MutableCondition(conditions, condition.type);
  std::string transition = FormatTime(now);
  if (existing != nullptr && existing->value("status", "") == condition.status &&
      existing->contains("lastTransitionTime")) {
    transition = (*existing)["lastTransitionTime"].get<std::string>();
  }
  Json entry = {{"type", condition.type},
                {"status", condition.status},
                {"observedGeneration", condition.observed_generation},
                {"lastTransitionTime", transition},
                {"reason", condition.reason},
                {"message", condition.message}};
  if (existing != nullptr) {
    *existing = std::move(entry);
  } else {
    conditions.push_back(std::move(entry));
  }
}

void RemoveCondition(Json& conditions, std::string_view type) {
  if (!conditions.is_array()) return;
  Json kept = Json::array();
  for (Json& entry : conditions) {
    if (!(entry.is_object() && entry.value("type", "") == type)) kept.push_back(std::move(entry));
  }
  conditions = std::move(kept);
}

const Json* FindCondition(const Json& conditions, std::string_view type) {
  if (!conditions.is_array()) return nullptr;
  for (const Json& entry : conditions) {
    if (entry.is_object() && entry.value("type", "") == type) return &entry;
  }
  return nullptr;
}

bool IsConditionTrue(const Json& conditions, std::string_view type) {
  const Json* condition = FindCondition(conditions, type);
  return condition != nullptr && condition->value("status", "") == "True";
}

std::string FormatTime(std::chrono::system_clock::time_point time) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

absl::StatusOr<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  auto invalid = [&](std::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid duration \"", std::string(text), "\": ", std::string(why)));
  };
  if (text.empty()) return invalid("empty");
  if (text.front() == '-') return invalid("negative durations are not allowed");
  if (text.front() == '+') text.remove_prefix(1);
  if (text == "0") return std::chrono::milliseconds(0);
  double total = 0;
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t digits = 0;
    while (digits < rest.size() &&
           (std::isdigit(static_cast<unsigned char>(rest[digits])) || rest[digits] == '.')) {
      ++digits;
    }
    if (digits == 0) return invalid("expected a number");
    double number = 0;
    try {
      number = std::stod(std::string(rest.substr(0, digits)));
    } catch (const std::exception&) {
      return invalid("expected a number");
    }
    rest.remove_prefix(digits);
    const DurationUnit* unit = nullptr;
    for (const DurationUnit& candidate : kDurationUnits) {
      if (rest.substr(0, candidate.name.size()) == candidate.name &&
          (unit == nullptr || candidate.name.size() > unit->name.size())) {
        unit = &candidate;
      }
    }
    if (unit == nullptr) return invalid("missing unit (one of ns, us, ms, s, m, h)");
    rest.remove_prefix(unit->name.size());
    total += number * unit->milliseconds;
  }
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(total)));
}

std::string FormatDuration(std::chrono::milliseconds duration) {
  int64_t milliseconds = duration.count();
  if (milliseconds == 0) return "0s";
  std::string sign = milliseconds < 0 ? "-" : "";
  milliseconds = std::llabs(milliseconds);
  if (milliseconds < 1000) return absl::StrCat(sign, milliseconds, "ms");
  int64_t hours = milliseconds / 3600000;
  int64_t minutes = milliseconds / 60000 % 60;
  int64_t seconds = milliseconds / 1000 % 60;
  int64_t fraction = milliseconds % 1000;
  std::string seconds_text = std::to_string(seconds);
  if (fraction != 0) {
    std::string digits = std::to_string(1000 + fraction).substr(1);
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    absl::StrAppend(&seconds_text, ".", digits);
  }
  if (hours > 0) return absl::StrCat(sign, hours, "h", minutes, "m", seconds_text, "s");
  if (minutes > 0) return absl::StrCat(sign, minutes, "m", seconds_text, "s");
  return absl::StrCat(sign, seconds_text, "s");
}

absl::Status PatchStatus(kube::Client& client, const manifest::GroupVersionKind& kind,
                         const std::string& namespace_name, const std::string& name,
                         const Json& status) {
  return PatchStatus(client, kind, namespace_name, name, status, "").status();
}

absl::StatusOr<manifest::Object> PatchStatus(kube::Client& client,
                                             const manifest::GroupVersionKind& kind,
                                             const std::string& namespace_name,
                                             const std::string& name, const Json& status,
                                             const std::string& field_manager) {
  Json patch = {{"status", status}};
  auto patched = client.Patch(kind, namespace_name, name, kube::PatchType::kMerge, patch.dump(),
                              "status", field_manager);
  if (!patched.ok()) {
    return absl::Status(patched.status().code(),
                        absl::StrCat(kube::DescribeObject(kind, namespace_name, name),
                                     ": writing status: ", patched.status().message()));
  }
  return patched;
}

}  // namespace fluxcpp::reconciler
