// Data files compiled into the library (cmake/EmbedFiles.cmake generates their definitions).
// Private to bootstrap/.
//
// The data is immutable and lives for the whole program; safe to read from any thread.
#pragma once

#include <span>
#include <string_view>

namespace fluxcpp::bootstrap {

struct EmbeddedFile {
  std::string_view name;     // file name without folder, "gitrepositories.yaml"
  std::string_view content;  // the file's bytes
};

// The CustomResourceDefinitions under bootstrap/crds/, sorted by file name.
std::span<const EmbeddedFile> EmbeddedCrdFiles();

}  // namespace fluxcpp::bootstrap
