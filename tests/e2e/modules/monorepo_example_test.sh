# examples/monorepo on the test ground: its repository/ folder is committed to a new repository,
# `tofu apply -var environment=staging` bootstraps the cluster into flux-system, the infrastructure
# Kustomization and then apps (dependsOn infrastructure) become Ready and the staging overlay is
# in the cluster; after staging's destroy, environment=production bootstraps clusters/production
# and the production overlay replaces the staging one; destroy removes the install. Uses the
# namespace flux-system, as the example's YAML does: run alone.
source "$(dirname "$0")/modules_env.sh"

kustomizations=kustomizations.kustomize.toolkit.fluxcd.io
name=example-monorepo-$(random_suffix)
url=$(new_repository "$name" SSH)
expect "commit the monorepo's files" ground seed "$name" "$FLUXCPP_SOURCE_DIR/examples/monorepo/repository"
require_namespace_free flux-system
namespaces+=(flux-system shop)
folder=$(use_folder examples/monorepo monorepo)
variables=(-var "kubeconfig_path=$KUBECONFIG" -var "repository_url=$url"
  -var "private_key_file=$GIT_SSH_KEY" -var "known_hosts_file=$GIT_KNOWN_HOSTS")

expect_failure "an unknown environment is refused" 'environment must be staging or production' \
  tofu_in "$folder" plan -input=false -no-color "${variables[@]}" -var environment=qa

expect "staging: tofu apply" tofu_in "$folder" apply -auto-approve -input=false -no-color "${variables[@]}" -var environment=staging
expect_ready flux-system $kustomizations flux-system
wait_ready flux-system $kustomizations infrastructure 120
wait_ready flux-system $kustomizations apps 120
expect_equal "staging: apps depends on infrastructure" infrastructure \
  "$(kubectl -n flux-system get $kustomizations apps -o jsonpath='{.spec.dependsOn[0].name}')"
expect_equal "staging: the infrastructure overlay is applied" staging \
  "$(kubectl -n shop get configmap cluster-settings -o jsonpath='{.data.environment}')"
expect_equal "staging: the apps overlay is applied" ghcr.io/example/storefront:1.1.0-rc.1 \
  "$(kubectl -n shop get deployment storefront -o jsonpath='{.spec.template.spec.containers[0].image}')"
expect_equal "staging: one replica" 1 "$(kubectl -n shop get deployment storefront -o jsonpath='{.spec.replicas}')"

# Production as its own bootstrap, as the README says (one state per environment): staging is
# uninstalled first (its workloads stay, as with Flux), then the production bootstrap takes the
# objects over and applies the production overlays. Not a path change of a live bootstrap: the
# provider then removes the old folder before the cluster builds the new one, and the cluster's
# Kustomization prunes its own install (a known issue of flux_bootstrap_git's update).
expect "staging: tofu destroy" tofu_in "$folder" destroy -auto-approve -input=false -no-color "${variables[@]}" -var environment=staging
require_namespace_free flux-system
expect "production: tofu apply" \
  tofu_in "$folder" apply -auto-approve -input=false -no-color "${variables[@]}" -var environment=production
expect "production: the bootstrap files are in clusters/production" \
  ground read "$name" main clusters/production/flux-system/gotk-sync.yaml
expect_equal "production: the cluster's Kustomization builds clusters/production" ./clusters/production \
  "$(kubectl -n flux-system get $kustomizations flux-system -o jsonpath='{.spec.path}')"
wait_ready flux-system $kustomizations infrastructure 120
wait_ready flux-system $kustomizations apps 120
expect_equal "production: the infrastructure overlay is applied" production \
  "$(kubectl -n shop get configmap cluster-settings -o jsonpath='{.data.environment}')"
expect_equal "production: three replicas" 3 "$(kubectl -n shop get deployment storefront -o jsonpath='{.spec.replicas}')"
expect_equal "production: the base image" ghcr.io/example/storefront:1.0.0 \
  "$(kubectl -n shop get deployment storefront -o jsonpath='{.spec.template.spec.containers[0].image}')"

expect "tofu destroy" tofu_in "$folder" destroy -auto-approve -input=false -no-color "${variables[@]}" -var environment=production
if ground read "$name" main clusters/production/flux-system/gotk-sync.yaml >/dev/null 2>&1; then
  fail "the bootstrap files are still in Git after destroy"
fi
echo "ok: destroy removed the bootstrap files from Git"
