// fluxcpp-kustomize build DIR: prints the build of DIR exactly as `kustomize build DIR` does.
// Files are read only below the current directory (the source root); pass --root to change it.
#include <cstring>
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
  auto yaml = fluxcpp::kustomize::BuildYaml(root, dir);
  if (!yaml.ok()) {
    std::cerr << "Error: " << yaml.status().message() << "\n";
    return 1;
  }
  std::cout << *yaml;
  return 0;
}
