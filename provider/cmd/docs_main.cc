// provider-docs: the flux provider's reference documentation, generated from its schemas.
//
//   provider-docs --write DOCS_DIR   (re)write the pages under DOCS_DIR
//   provider-docs --check DOCS_DIR   exit 1, naming the page, when DOCS_DIR is out of date
//
// Only the generated folders (index.md, resources/, data-sources/, functions/) are looked at;
// guides elsewhere under DOCS_DIR are left alone.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>

#include "provider/flux/provider.h"

namespace {

namespace fs = std::filesystem;

constexpr const char* kGeneratedFolders[] = {"resources", "data-sources", "functions"};

std::string ReadFile(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream content;
  content << file.rdbuf();
  return content.str();
}

// "line N: expected <…> got <…>" where the texts part.
std::string FirstDifference(const std::string& committed, const std::string& generated) {
  std::istringstream a(committed), b(generated);
  std::string want, got;
  for (int line = 1;; ++line) {
    const bool more_got = static_cast<bool>(std::getline(a, got));
    const bool more_want = static_cast<bool>(std::getline(b, want));
    if (!more_got && !more_want) return "the final newline differs";
    if (!more_got) got = "<end of file>";
    if (!more_want) want = "<end of page>";
    if (want != got || !more_got || !more_want) {
      return "line " + std::to_string(line) + ": expected <" + want + "> got <" + got + ">";
    }
  }
}

int Usage() {
  std::fputs("usage: provider-docs --write DOCS_DIR | --check DOCS_DIR\n", stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) return Usage();
  const std::string mode = argv[1];
  const fs::path root = argv[2];
  if (mode != "--write" && mode != "--check") return Usage();

  std::unique_ptr<fluxcpp::provider::protocol::Provider> provider =
      fluxcpp::provider::flux::MakeProvider();
  const std::map<std::string, std::string> pages =
      fluxcpp::provider::framework::GenerateDocs(*provider, fluxcpp::provider::flux::Docs());

  if (mode == "--write") {
    for (const char* folder : kGeneratedFolders) {
      std::error_code ignored;
      for (const auto& entry : fs::directory_iterator(root / folder, ignored)) {
        if (entry.path().extension() == ".md") fs::remove(entry.path());
      }
    }
    for (const auto& [name, content] : pages) {
      const fs::path path = root / name;
      fs::create_directories(path.parent_path());
      std::ofstream(path, std::ios::binary) << content;
    }
    std::cout << "wrote " << pages.size() << " pages under " << root.string() << "\n";
    return 0;
  }

  int stale = 0;
  const std::string hint = " (regenerate with build/bin/provider-docs --write docs)";
  for (const auto& [name, content] : pages) {
    const fs::path path = root / name;
    if (!fs::exists(path)) {
      std::cerr << name << ": missing" << hint << "\n";
      ++stale;
    } else if (std::string committed = ReadFile(path); committed != content) {
      std::cerr << name << ": out of date at " << FirstDifference(committed, content) << hint
                << "\n";
      ++stale;
    }
  }
  for (const char* folder : kGeneratedFolders) {
    std::error_code ignored;
    for (const auto& entry : fs::directory_iterator(root / folder, ignored)) {
      const std::string name = std::string(folder) + "/" + entry.path().filename().string();
      if (entry.path().extension() == ".md" && !pages.contains(name)) {
        std::cerr << name << ": no longer generated" << hint << "\n";
        ++stale;
      }
    }
  }
  if (stale > 0) return 1;
  std::cout << pages.size() << " pages up to date\n";
  return 0;
}
