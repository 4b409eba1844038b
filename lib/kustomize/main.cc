// fluxcpp-kustomize build DIR: prints the build of DIR exactly as `kustomize build DIR` does.
// Files are read only below the source root: the working directory, or --root.
#include <filesystem>
#include <iostream>
#include <string>

#include "lib/kustomize/build.h"

int main(int argc, char** argv) {
  std::string root = ".";
  std::string dir;
  bool build = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "build" && !build) {
      build = true;
    } else if (arg == "--root" && i + 1 < argc) {
      root = argv[++i];
    } else if (build && dir.empty() && !arg.starts_with("-")) {
      dir = arg;
    } else {
      std::cerr << "usage: fluxcpp-kustomize build [--root DIR] DIR\n";
      return 2;
    }
  }
  if (!build) {
    std::cerr << "usage: fluxcpp-kustomize build [--root DIR] DIR\n";
    return 2;
  }
  if (dir.empty()) dir = ".";
  // DIR is relative to the working directory, as for kustomize; the engine takes it below the root.
  auto yaml = fluxcpp::kustomize::BuildYaml(root, std::filesystem::absolute(dir).string());
  if (!yaml.ok()) {
    std::cerr << "Error: " << yaml.status().message() << "\n";
    return 1;
  }
  std::cout << *yaml;
  return 0;
}
