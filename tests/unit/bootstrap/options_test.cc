// Validation of InstallOptions and SyncOptions: every error names the field at fault.
#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "bootstrap/manifests.h"

namespace fluxcpp::bootstrap {
namespace {

void CheckRejected(const absl::Status& status, absl::StatusCode code, const std::string& prefix) {
  INFO(status.ToString());
  CHECK(status.code() == code);
  CHECK(absl::StartsWith(status.message(), prefix));
}

TEST_CASE("install defaults match the Go provider where fluxcpp has the setting") {
  InstallOptions options;
  CHECK(options.Validate().ok());
  CHECK(options.namespace_name == "flux-system");
  CHECK(options.cluster_domain == "cluster.local");
  CHECK(options.components == std::set<std::string>{"source-controller", "kustomize-controller"});
  CHECK(options.components_extra.empty());
  CHECK(options.registry == "ghcr.io/fluxcpp");
  CHECK(options.version == "v0.1.0");
  CHECK(options.log_level == "info");
  CHECK(options.network_policy);
  CHECK(options.watch_all_namespaces);
  CHECK(options.image_pull_secret.empty());
  CHECK(options.toleration_keys.empty());
}

TEST_CASE("install options name the field they reject") {
  using absl::StatusCode;
  struct Case {
    const char* what;
    void (*change)(InstallOptions&);
    StatusCode code;
    const char* prefix;
  };
  const Case cases[] = {
      {"namespace upper case", [](InstallOptions& o) { o.namespace_name = "Flux"; },
       StatusCode::kInvalidArgument, "namespace: must be an RFC 1123 label"},
      {"namespace too long", [](InstallOptions& o) { o.namespace_name = std::string(64, 'a'); },
       StatusCode::kInvalidArgument, "namespace: "},
      {"cluster domain", [](InstallOptions& o) { o.cluster_domain = "cluster..local"; },
       StatusCode::kInvalidArgument, "cluster_domain: "},
      {"components without kustomize",
       [](InstallOptions& o) { o.components = {"source-controller"}; },
       StatusCode::kInvalidArgument,
       "components: must include source-controller and kustomize-controller"},
      {"unknown component", [](InstallOptions& o) { o.components.insert("tekton-controller"); },
       StatusCode::kInvalidArgument, "components: unknown component \"tekton-controller\""},
      {"helm-controller is not served",
       [](InstallOptions& o) { o.components.insert("helm-controller"); },
       StatusCode::kUnimplemented, "components: helm-controller is not served by fluxcpp"},
      {"unknown extra component", [](InstallOptions& o) { o.components_extra = {"tekton"}; },
       StatusCode::kInvalidArgument, "components_extra: unknown component"},
      {"extra component not served",
       [](InstallOptions& o) { o.components_extra = {"image-reflector-controller"}; },
       StatusCode::kUnimplemented, "components_extra: image-reflector-controller"},
      {"empty registry", [](InstallOptions& o) { o.registry = ""; }, StatusCode::kInvalidArgument,
       "registry: must not be empty"},
      {"registry with scheme", [](InstallOptions& o) { o.registry = "https://ghcr.io/x"; },
       StatusCode::kInvalidArgument, "registry: "},
      {"registry with trailing slash", [](InstallOptions& o) { o.registry = "ghcr.io/x/"; },
       StatusCode::kInvalidArgument, "registry: "},
      {"version without v", [](InstallOptions& o) { o.version = "0.1.0"; },
       StatusCode::kInvalidArgument, "version: must be \"latest\" or start with 'v'"},
      {"version not a tag", [](InstallOptions& o) { o.version = "v1/2"; },
       StatusCode::kInvalidArgument, "version: "},
      {"image pull secret", [](InstallOptions& o) { o.image_pull_secret = "Reg_Cred"; },
       StatusCode::kInvalidArgument, "image_pull_secret: must be an RFC 1123 subdomain"},
      {"log level", [](InstallOptions& o) { o.log_level = "trace"; }, StatusCode::kInvalidArgument,
       "log_level: must be one of info, debug, error"},
      {"toleration key", [](InstallOptions& o) { o.toleration_keys = {"bad key"}; },
       StatusCode::kInvalidArgument, "toleration_keys: \"bad key\""},
  };
  for (const Case& test : cases) {
    INFO(test.what);
    InstallOptions options;
    test.change(options);
    CheckRejected(options.Validate(), test.code, test.prefix);
    CheckRejected(GenerateInstall(options).status(), test.code, test.prefix);
  }
}

TEST_CASE("install accepts what the Go provider accepts") {
  InstallOptions options;
  options.namespace_name = "gitops";
  options.version = "latest";
  options.registry = "registry.example.com:5000/mirror/fluxcpp";
  options.image_pull_secret = "regcred";
  options.log_level = "debug";
  options.toleration_keys = {"dedicated", "node-role.kubernetes.io/control-plane"};
  CHECK(options.Validate().ok());
  CHECK(options.ResolvedVersion() == kReleaseVersion);
}

SyncOptions ValidSync() {
  SyncOptions options;
  options.url = "ssh://git@github.com/example/fleet.git";
  return options;
}

TEST_CASE("sync defaults are those of flux bootstrap") {
  SyncOptions options = ValidSync();
  CHECK(options.Validate().ok());
  CHECK(options.branch == "main");
  CHECK(options.name == "flux-system");
  CHECK(options.namespace_name == "flux-system");
  CHECK(options.secret_name == "flux-system");
  CHECK(options.interval == "1m0s");
  CHECK(options.kustomization_interval == "10m0s");
  CHECK(options.CleanPath().empty());
}

TEST_CASE("an scp-like URL is rejected with its ssh:// spelling") {
  SyncOptions options = ValidSync();
  options.url = "git@github.com:example/fleet.git";
  absl::Status status = options.Validate();
  CheckRejected(status, absl::StatusCode::kInvalidArgument, "url: \"git@github.com:example/fleet");
  CHECK(absl::StrContains(status.message(), "ssh://git@github.com/example/fleet.git"));
}

TEST_CASE("a URL's password never appears in a validation error") {
  SyncOptions options = ValidSync();
  options.url = "ftp://user:hunter2@host/repo";
  absl::Status status = options.Validate();
  CheckRejected(status, absl::StatusCode::kInvalidArgument, "url: must start with ssh://");
  CHECK_FALSE(absl::StrContains(status.message(), "hunter2"));
}

TEST_CASE("sync options name the field they reject") {
  struct Case {
    const char* what;
    void (*change)(SyncOptions&);
    const char* prefix;
  };
  const Case cases[] = {
      {"no url", [](SyncOptions& o) { o.url = ""; }, "url: must be set"},
      {"file url", [](SyncOptions& o) { o.url = "file:///srv/repo"; }, "url: must start with"},
      {"tag and semver",
       [](SyncOptions& o) {
         o.tag = "v1";
         o.semver = ">=1.0.0";
       },
       "tag: set only one of tag and semver"},
      {"no reference", [](SyncOptions& o) { o.branch = ""; }, "branch: must be set"},
      {"short commit", [](SyncOptions& o) { o.commit = "abc123"; }, "commit: must be a full"},
      {"name", [](SyncOptions& o) { o.name = "Flux System"; }, "name: "},
      {"namespace", [](SyncOptions& o) { o.namespace_name = "flux.system"; }, "namespace: "},
      {"secret name", [](SyncOptions& o) { o.secret_name = "a_b"; }, "secret_name: "},
      {"interval", [](SyncOptions& o) { o.interval = "often"; }, "interval: must be a duration"},
      {"kustomization interval", [](SyncOptions& o) { o.kustomization_interval = "10"; },
       "kustomization_interval: "},
      {"absolute path", [](SyncOptions& o) { o.path = "/clusters/dev"; }, "path: must be relative"},
      {"escaping path", [](SyncOptions& o) { o.path = "clusters/../../x"; }, "path: must stay"},
  };
  for (const Case& test : cases) {
    INFO(test.what);
    SyncOptions options = ValidSync();
    test.change(options);
    CheckRejected(options.Validate(), absl::StatusCode::kInvalidArgument, test.prefix);
    CheckRejected(GenerateSync(options).status(), absl::StatusCode::kInvalidArgument, test.prefix);
  }
}

TEST_CASE("paths are cleaned of ./ and trailing slashes") {
  SyncOptions options = ValidSync();
  for (auto [given, clean] : {std::pair{"", ""},
                              {"./", ""},
                              {".", ""},
                              {"clusters/dev", "clusters/dev"},
                              {"./clusters/dev/", "clusters/dev"}}) {
    options.path = given;
    INFO(given);
    CHECK(options.CleanPath() == clean);
    CHECK(options.Validate().ok());
  }
}

}  // namespace
}  // namespace fluxcpp::bootstrap
