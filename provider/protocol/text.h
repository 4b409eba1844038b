// Message building for the provider. Debian's abseil has its own absl::string_view, which
// absl::StrCat and friends will not take from a std::string_view, so messages are joined here.
#pragma once

#include <string>
#include <string_view>
#include <type_traits>

#include "absl/strings/string_view.h"

namespace fluxcpp::provider::protocol {
namespace text_internal {

inline void Append(std::string& out, std::string_view text) { out += text; }
inline void Append(std::string& out, const std::string& text) { out += text; }
inline void Append(std::string& out, const char* text) { out += text; }
inline void Append(std::string& out, absl::string_view text) {
  out.append(text.data(), text.size());
}
template <typename Integer>
requires(std::is_integral_v<Integer> && !std::is_same_v<Integer, bool> &&
         !std::is_same_v<Integer, char>) void Append(std::string& out, Integer number) {
  out += std::to_string(number);
}

}  // namespace text_internal

// The parts one after the other: strings of any kind and integers.
template <typename... Parts>
std::string Cat(const Parts&... parts) {
  std::string out;
  (text_internal::Append(out, parts), ...);
  return out;
}

// abseil's string_view (Status::message()) as a std::string_view.
inline std::string_view View(absl::string_view text) { return {text.data(), text.size()}; }

}  // namespace fluxcpp::provider::protocol
