#include "provider/flux/options_mapping.h"

#include <algorithm>
#include <cctype>

#include "bootstrap/manifests.h"
#include "provider/protocol/text.h"

namespace fluxcpp::provider::flux {

protocol::Diagnostic OptionsDiagnostic(const absl::Status& status,
                                       const std::map<std::string, std::string>& attributes) {
  const std::string message(protocol::View(status.message()));
  const size_t colon = message.find(": ");
  std::string field = colon == std::string::npos ? "" : message.substr(0, colon);
  const std::string problem = colon == std::string::npos ? message : message.substr(colon + 2);
  values::Path path;
  if (!field.empty() && field.find(' ') == std::string::npos) {
    auto it = attributes.find(field);
    const std::string attribute = it == attributes.end() ? field : it->second;
    if (!attribute.empty()) path = path.Attribute(attribute);
    field = attribute;
  }
  const bool unsupported = status.code() == absl::StatusCode::kUnimplemented;
  return protocol::ErrorDiagnostic(
      unsupported ? "Unsupported value" : "Invalid attribute value",
      path.empty() ? message : protocol::Cat("Attribute \"", field, "\" ", problem, "."), path);
}

std::string RepositoryPath(const std::string& target_path, const std::string& namespace_name,
                           const std::string& file) {
  bootstrap::SyncOptions cleaner;
  cleaner.path = target_path;
  const std::string folder = cleaner.CleanPath();
  return protocol::Cat(folder.empty() ? "" : folder + "/", namespace_name, "/", file);
}

std::string GoProviderInterval(const std::string& text) {
  if (!text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) != 0;
      })) {
    return text + "m0s";
  }
  return text;
}

}  // namespace fluxcpp::provider::flux
