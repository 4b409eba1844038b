# flux_install and flux_sync through a real OpenTofu or Terraform (FLUXCPP_TF_CLI): the content
# is bootstrap's generated YAML (byte for byte the golden file of the default install), with
# the CRDs; options reach the manifests; a second plan has nothing to do.
source "$(dirname "$0")/provider_env.sh"
use_config install

expect "tf apply" tf apply -auto-approve -input=false -no-color
tf output -raw default_content >"$scratch/default.yaml"
expect "the default install is bootstrap's golden install set, byte for byte" \
  cmp "$scratch/default.yaml" "$FLUXCPP_SOURCE_DIR/tests/unit/bootstrap/testdata/install-default.yaml"
expect_equal "the install holds both CRDs" 2 "$(grep -c '^kind: CustomResourceDefinition' "$scratch/default.yaml")"
expect "the GitRepository CRD is there" grep -q 'name: gitrepositories.source.toolkit.fluxcd.io' "$scratch/default.yaml"
expect "the Kustomization CRD is there" grep -q 'name: kustomizations.kustomize.toolkit.fluxcd.io' "$scratch/default.yaml"
expect_equal "default path" "flux-system/gotk-components.yaml" "$(tf output -raw default_path)"

tf output -raw custom_content >"$scratch/custom.yaml"
expect_equal "custom path" "clusters/dev/flux-prod/gotk-components.yaml" "$(tf output -raw custom_path)"
expect "the custom install uses its namespace" grep -q 'namespace: flux-prod' "$scratch/custom.yaml"
expect_equal "network_policy = false leaves the policies out" 0 \
  "$(grep -c '^kind: NetworkPolicy' "$scratch/custom.yaml" || true)"
expect "log_level reaches the reconciler" grep -q -- '--log-level=debug' "$scratch/custom.yaml"
expect "toleration_keys reach the reconciler" grep -q 'key: dedicated' "$scratch/custom.yaml"

tf output -json sync >"$scratch/sync.json"
expect_equal "sync path" "clusters/dev/flux-system/gotk-sync.yaml" "$(jq -r .path "$scratch/sync.json")"
expect_equal "kustomize path" "clusters/dev/flux-system/kustomization.yaml" "$(jq -r .kustomize_path "$scratch/sync.json")"
jq -r .content "$scratch/sync.json" >"$scratch/sync.yaml"
expect "the GitRepository points at the url" grep -q 'url: ssh://git@example.com/fleet.git' "$scratch/sync.yaml"
expect "a bare number is an interval in minutes, as in the Go provider" grep -q 'interval: 5m0s' "$scratch/sync.yaml"
expect "the Kustomization builds target_path" grep -q 'path: ./clusters/dev' "$scratch/sync.yaml"
expect "kustomize_content lists the bootstrap files" grep -q 'gotk-sync.yaml' <(jq -r .kustomize_content "$scratch/sync.json")
expect_equal "defaults show in the state" "main flux-system flux-system" \
  "$(jq -r '[.branch, .name, .secret] | join(" ")' "$scratch/sync.json")"

expect_no_changes "a second plan has nothing to do"
