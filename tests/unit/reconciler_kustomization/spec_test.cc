#include "reconciler/kustomization/spec.h"

#include <catch2/catch.hpp>

#include "lib/manifest/yaml.h"
#include "tests/unit/testdata.h"

namespace fluxcpp::reconciler::kustomization {
namespace {

using namespace std::chrono_literals;
using manifest::Json;

manifest::Object ReadKustomization(const std::string& fixture) {
  auto objects = manifest::ReadObjects(testing::ReadTestdata(fixture), fixture);
  REQUIRE(objects.ok());
  REQUIRE(objects->size() == 1);
  return (*objects)[0];
}

std::string ErrorOf(manifest::Object object) {
  auto spec = ParseSpec(object);
  REQUIRE_FALSE(spec.ok());
  return std::string(spec.status().message());
}

TEST_CASE("every field of a full Kustomization is read") {
  auto spec = ParseSpec(ReadKustomization("spec/full.yaml"));
  REQUIRE(spec.ok());
  CHECK(spec->source_ref.kind == "GitRepository");
  CHECK(spec->source_ref.name == "fleet");
  CHECK(spec->source_ref.namespace_name == "flux-system");
  CHECK(spec->path == "./apps/production");
  CHECK(spec->interval == 10min);
  CHECK(spec->retry_interval == 2min);
  CHECK(spec->timeout == 9min + 30s);
  CHECK(spec->prune);
  CHECK(spec->wait);
  CHECK(spec->force);
  CHECK(spec->deletion_policy == "Delete");
  CHECK(spec->target_namespace == "production");
  CHECK(spec->name_prefix == "pre-");
  CHECK(spec->name_suffix == "-suf");
  CHECK(spec->service_account_name == "deployer");
  REQUIRE(spec->depends_on.size() == 2);
  CHECK(spec->depends_on[0].namespace_name == "flux-system");
  CHECK(spec->depends_on[1].namespace_name == "platform");
  REQUIRE(spec->health_checks.size() == 1);
  CHECK(spec->health_checks[0].api_version == "apps/v1");
  CHECK(spec->patches.size() == 1);
  CHECK(spec->images[0]["newTag"] == "1.27");
  CHECK(spec->components == std::vector<std::string>{"../components/monitoring"});
  CHECK(spec->common_labels.at("team") == "platform");
  CHECK(spec->common_annotations.at("owner") == "ops");
  REQUIRE(spec->post_build.has_value());
  CHECK(spec->post_build->substitute.at("cluster") == "prod");
  REQUIRE(spec->post_build->substitute_from.size() == 2);
  CHECK_FALSE(spec->post_build->substitute_from[0].optional);
  CHECK(spec->post_build->substitute_from[1].kind == "Secret");
  CHECK(spec->post_build->substitute_from[1].optional);
  REQUIRE(spec->kube_config.has_value());
  CHECK(spec->kube_config->name == "remote");
  CHECK(spec->kube_config->key == "config");
}

TEST_CASE("Flux's defaults fill in what a minimal Kustomization leaves out") {
  auto spec = ParseSpec(ReadKustomization("spec/minimal.yaml"));
  REQUIRE(spec.ok());
  CHECK(spec->path == "./");
  CHECK(spec->retry_interval == 5min);
  CHECK(spec->timeout == 4min + 30s);
  CHECK(spec->deletion_policy == "MirrorPrune");
  CHECK_FALSE(spec->prune);
  CHECK_FALSE(spec->post_build.has_value());
  CHECK_FALSE(spec->kube_config.has_value());
}

TEST_CASE("the default timeout is never below 30 seconds") {
  manifest::Object object = ReadKustomization("spec/minimal.yaml");
  object.json()["spec"]["interval"] = "45s";
  auto spec = ParseSpec(object);
  REQUIRE(spec.ok());
  CHECK(spec->timeout == 30s);
}

TEST_CASE("errors name the field at fault") {
  manifest::Object base = ReadKustomization("spec/minimal.yaml");
  auto with = [&](const std::string& pointer, Json value) {
    manifest::Object copy = base;
    copy.json()[Json::json_pointer(pointer)] = std::move(value);
    return copy;
  };
  auto without = [&](const std::string& field) {
    manifest::Object copy = base;
    copy.json()["spec"].erase(field);
    return copy;
  };
  CHECK_THAT(ErrorOf(with("/spec/interval", "soon")), Catch::Contains("spec.interval"));
  CHECK_THAT(ErrorOf(without("interval")), Catch::Contains("spec.interval: is required"));
  CHECK_THAT(ErrorOf(without("prune")), Catch::Contains("spec.prune: is required"));
  CHECK_THAT(ErrorOf(without("sourceRef")), Catch::Contains("spec.sourceRef: is required"));
  CHECK_THAT(ErrorOf(with("/spec/sourceRef/kind", "HelmChart")),
             Catch::Contains("spec.sourceRef.kind"));
  CHECK_THAT(ErrorOf(with("/spec/timeout", "-1m")), Catch::Contains("spec.timeout"));
  CHECK_THAT(ErrorOf(with("/spec/deletionPolicy", "Never")),
             Catch::Contains("spec.deletionPolicy"));
  CHECK_THAT(ErrorOf(with("/spec/wait", "yes")), Catch::Contains("spec.wait"));
  CHECK_THAT(ErrorOf(with("/spec/postBuild", Json{{"substitute", {{"1bad", "x"}}}})),
             Catch::Contains("spec.postBuild.substitute.1bad"));
  CHECK_THAT(ErrorOf(with("/spec/postBuild",
                          Json{{"substituteFrom", {{{"kind", "Pod"}, {"name", "x"}}}}})),
             Catch::Contains("spec.postBuild.substituteFrom[0].kind"));
  CHECK_THAT(ErrorOf(with("/spec/healthChecks", Json::array({{{"kind", "Deployment"}}}))),
             Catch::Contains("spec.healthChecks[0].name"));
  CHECK_THAT(ErrorOf(with("/spec/dependsOn", Json::array({{{"namespace", "x"}}}))),
             Catch::Contains("spec.dependsOn[0].name"));
  CHECK_THAT(ErrorOf(with("/spec/kubeConfig", Json::object())),
             Catch::Contains("spec.kubeConfig.secretRef"));
  CHECK_THAT(ErrorOf(with("/spec/images", Json::array({{{"newTag", "1"}}}))),
             Catch::Contains("spec.images[0].name"));
}

TEST_CASE("variable names follow Flux's pattern") {
  CHECK(IsValidVariableName("cluster_name"));
  CHECK(IsValidVariableName("_private"));
  CHECK(IsValidVariableName("V2"));
  CHECK_FALSE(IsValidVariableName(""));
  CHECK_FALSE(IsValidVariableName("2fast"));
  CHECK_FALSE(IsValidVariableName("with-dash"));
  CHECK_FALSE(IsValidVariableName("dotted.name"));
}

}  // namespace
}  // namespace fluxcpp::reconciler::kustomization

namespace fluxcpp::reconciler::kustomization {
namespace {

TEST_CASE("spec.decryption reads the provider and the secretRef holding the keys") {
  manifest::Object object = ReadKustomization("spec/minimal.yaml");
  object.json()["spec"]["decryption"] = {{"provider", "sops"},
                                         {"secretRef", {{"name", "sops-age"}}}};
  auto spec = ParseSpec(object);
  REQUIRE(spec.ok());
  CHECK(spec->decryption);
  CHECK(spec->decryption_secret == "sops-age");

  object.json()["spec"]["decryption"] = {{"provider", "sops"}};
  spec = ParseSpec(object);
  REQUIRE(spec.ok());
  CHECK(spec->decryption);
  CHECK(spec->decryption_secret.empty());

  object.json()["spec"]["decryption"] = {{"provider", "sops"}, {"secretRef", {{"name", ""}}}};
  CHECK_THAT(ErrorOf(object), Catch::Contains("spec.decryption.secretRef.name"));
  object.json()["spec"]["decryption"] = {{"provider", "vault"}};
  CHECK_THAT(ErrorOf(object), Catch::Contains("spec.decryption.provider"));
}

}  // namespace
}  // namespace fluxcpp::reconciler::kustomization
