// A path to a value inside another (`.spec.items[2].name`), the way Terraform's AttributePath
// names it: attribute names, list/tuple indices, map keys, and set elements named by their value
// (as cty paths do: a set element has no index, `.rules[{name = "web"}].port`). Every codec error
// carries one so that the user learns which attribute was wrong.
//
// Path is a value type; copies are independent and it is safe to read from several threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace fluxcpp::provider::values {

class Path {
 public:
  // One step: an attribute name, an element index, a map key, or a set element.
  struct Step {
    enum class Kind { kAttribute, kIndex, kKey, kElement };
    Kind kind = Kind::kAttribute;
    std::string name;   // the attribute name, map key, or the set element's value as text
    int64_t index = 0;  // the element index
    friend bool operator==(const Step&, const Step&) = default;
  };

  Path() = default;

  // These return a longer copy; the path they are called on is unchanged.
  [[nodiscard]] Path Attribute(std::string_view name) const;
  [[nodiscard]] Path Index(int64_t index) const;
  [[nodiscard]] Path Key(std::string_view key) const;
  // A set element, named by its value written as text (`{name = "web"}`): Terraform's wire paths
  // cannot address set elements, so a diagnostic's path is sent up to the set, and the element is
  // named in the message.
  [[nodiscard]] Path Element(std::string_view value_text) const;

  const std::vector<Step>& steps() const { return steps_; }
  bool empty() const { return steps_.empty(); }

  // `.spec.items[2].name`, `.labels["app"]`, `.rules[{name = "web"}].port`; the empty string for
  // the root.
  std::string ToString() const;

  friend bool operator==(const Path&, const Path&) = default;

 private:
  std::vector<Step> steps_;
};

// An InvalidArgument error that starts with the path ("`.a[1]: expected string, got bool`"), or is
// just the message at the root.
[[nodiscard]] absl::Status PathError(const Path& path, std::string_view message);
// `cause` with the path in front of its message; the code is kept.
[[nodiscard]] absl::Status PathError(const Path& path, const absl::Status& cause);

}  // namespace fluxcpp::provider::values
