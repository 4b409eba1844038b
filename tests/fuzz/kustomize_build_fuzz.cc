// libFuzzer target: lib/kustomize's build of a kustomization and its resources must return an
// error, never crash, hang or exhaust memory, on any input. Whatever builds is written the way
// `kustomize build` prints it, and that text must read back as YAML.
//
// An input is a small source tree in one text: the part before the first marker line is the top
// kustomization.yaml; each marker line `#> <path>` starts the file at that path below the root.
// The files are handed to the build as replaced files, so nothing is written per input; the
// folders base/, overlay/ and components/extra/ exist (empty) so directory resources resolve.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "lib/kustomize/build.h"
#include "lib/kustomize/yaml_output.h"
#include "lib/manifest/yaml.h"

namespace {

namespace fs = std::filesystem;

// The source root, made once for the process: libFuzzer runs inputs one after another in it.
const std::string& SourceRoot() {
  static const std::string root = [] {
    fs::path folder = fs::temp_directory_path() / ("kustomize-fuzz-" + std::to_string(getpid()));
    for (const char* sub : {"base", "overlay", "components/extra"}) {
      fs::create_directories(folder / sub);
    }
    return folder.string();
  }();
  return root;
}

std::map<std::string, std::string> SplitFiles(std::string_view text) {
  constexpr std::string_view kMarker = "\n#> ";
  std::map<std::string, std::string> files;
  std::string name = "kustomization.yaml";
  while (true) {
    size_t marker = text.find(kMarker);
    files[name] = std::string(text.substr(0, marker));
    if (marker == std::string_view::npos) break;
    text.remove_prefix(marker + kMarker.size());
    size_t end_of_name = text.find('\n');
    name = std::string(text.substr(0, end_of_name));
    text =
        end_of_name == std::string_view::npos ? std::string_view() : text.substr(end_of_name + 1);
  }
  return files;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace kustomize = fluxcpp::kustomize;
  kustomize::BuildOptions options;
  options.replaced_files = SplitFiles(std::string_view(reinterpret_cast<const char*>(data), size));
  for (auto it = options.replaced_files.begin(); it != options.replaced_files.end();) {
    // Names the loader would refuse outright are dropped rather than failing every input.
    fs::path name = fs::path(it->first).lexically_normal();
    bool usable = !it->first.empty() && name.is_relative() && *name.begin() != ".." &&
                  it->first.find('\0') == std::string::npos;
    it = usable ? std::next(it) : options.replaced_files.erase(it);
  }
  auto built = kustomize::Build(SourceRoot(), ".", options);
  if (!built.ok()) return 0;
  std::string printed = kustomize::WriteYamlStream(*built);
  if (!fluxcpp::manifest::ParseYamlDocuments(printed, "build.yaml").ok()) {
    std::abort();  // the build printed YAML that does not read back
  }
  return 0;
}
