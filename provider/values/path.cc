#include "provider/values/path.h"

#include <nlohmann/json.hpp>

namespace fluxcpp::provider::values {

Path Path::Attribute(std::string_view name) const {
  Path longer = *this;
  longer.steps_.push_back(Step{.kind = Step::Kind::kAttribute, .name = std::string(name)});
  return longer;
}

Path Path::Index(int64_t index) const {
  Path longer = *this;
  longer.steps_.push_back(Step{.kind = Step::Kind::kIndex, .name = "", .index = index});
  return longer;
}

Path Path::Key(std::string_view key) const {
  Path longer = *this;
  longer.steps_.push_back(Step{.kind = Step::Kind::kKey, .name = std::string(key)});
  return longer;
}

Path Path::Element(std::string_view value_text) const {
  Path longer = *this;
  longer.steps_.push_back(Step{.kind = Step::Kind::kElement, .name = std::string(value_text)});
  return longer;
}

std::string Path::ToString() const {
  std::string text;
  for (const Step& step : steps_) {
    switch (step.kind) {
      case Step::Kind::kAttribute:
        text += "." + step.name;
        break;
      case Step::Kind::kIndex:
        text += "[" + std::to_string(step.index) + "]";
        break;
      case Step::Kind::kKey:
        // Keys are quoted with JSON escapes: a key may hold any character, including `"` and `]`,
        // and invalid UTF-8 must not break the message it lands in.
        text += "[" +
                nlohmann::json(step.name).dump(-1, ' ', false,
                                               nlohmann::json::error_handler_t::replace) +
                "]";
        break;
      case Step::Kind::kElement:
        text += "[" + step.name + "]";
        break;
    }
  }
  return text;
}

absl::Status PathError(const Path& path, std::string_view message) {
  if (path.empty()) return absl::InvalidArgumentError(std::string(message));
  return absl::InvalidArgumentError(path.ToString() + ": " + std::string(message));
}

absl::Status PathError(const Path& path, const absl::Status& cause) {
  if (path.empty()) return cause;
  return absl::Status(cause.code(), path.ToString() + ": " + std::string(cause.message()));
}

}  // namespace fluxcpp::provider::values
