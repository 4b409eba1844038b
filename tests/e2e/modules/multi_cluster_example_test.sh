# examples/multi-cluster on two control planes: the test's ground is staging, a second ground
# started here is production (each ground is its own folder and ports), both with the real
# flux-reconciler; one repository on the first ground's Git server. `tofu apply` bootstraps both
# (each cluster's Kustomization Ready at its own commit, both folders in the one repository), a
# second plan is empty, destroy removes both installs and every file. Uses flux-system on both
# grounds: run alone.
source "$(dirname "$0")/modules_env.sh"

kustomizations=kustomizations.kustomize.toolkit.fluxcd.io
require_namespace_free flux-system
namespaces+=(flux-system)

# The second control plane: its env goes to a file, never into this shell's environment, except
# for the kubeconfig.
second_env=$scratch/second-ground.env
"$FLUXCPP_SOURCE_DIR/tests/env/ground" up >"$second_env" 2>"$scratch/second-ground.log" || {
  tail -n 20 "$scratch/second-ground.log" >&2
  fail "a second ground does not start"
}
second_ground=$(sed -n 's/^export FLUXCPP_GROUND=//p' "$second_env")
production_kubeconfig=$(sed -n 's/^export KUBECONFIG=//p' "$second_env")
stop_second_ground() {
  FLUXCPP_GROUND=$second_ground "$FLUXCPP_SOURCE_DIR/tests/env/ground" down "$second_ground" >/dev/null 2>&1 || true
}
# Run before modules_env.sh's cleanup, which also removes the scratch folder.
trap 'stop_second_ground; cleanup' EXIT
echo "ok: a second control plane runs ($second_ground)"
FLUXCPP_GROUND=$second_ground KUBECONFIG=$production_kubeconfig \
  "$FLUXCPP_SOURCE_DIR/tests/env/ground" run-pods --image "flux-reconciler=$reconciler_binary" >/dev/null 2>&1 ||
  fail "the second ground's pod runner does not start"
production() { KUBECONFIG=$production_kubeconfig kubectl "$@"; }

name=example-multi-$(random_suffix)
url=$(new_repository "$name" SSH)
variables=(-var "repository_url=$url" -var "private_key_file=$GIT_SSH_KEY" -var "known_hosts_file=$GIT_KNOWN_HOSTS"
  -var "staging_kubeconfig=$KUBECONFIG" -var "production_kubeconfig=$production_kubeconfig")
# Provider for_each is expanded by init: it needs the variables too.
folder=$(use_folder examples/multi-cluster multi-cluster "${variables[@]}")

expect "tofu apply bootstraps both clusters" tofu_in "$folder" apply -auto-approve -input=false -no-color "${variables[@]}"
expect_equal "the clusters output" "production staging" \
  "$(tofu_in "$folder" output -json clusters | jq -r 'keys | join(" ")')"
expect_equal "both folders are in the one repository" \
  "clusters/production/flux-system/gotk-components.yaml clusters/production/flux-system/gotk-sync.yaml clusters/production/flux-system/kustomization.yaml clusters/staging/flux-system/gotk-components.yaml clusters/staging/flux-system/gotk-sync.yaml clusters/staging/flux-system/kustomization.yaml" \
  "$(ground read "$name" main | tr '\n' ' ' | sed 's/ $//')"
expect_ready flux-system $kustomizations flux-system
expect_equal "staging builds its folder" ./clusters/staging \
  "$(kubectl -n flux-system get $kustomizations flux-system -o jsonpath='{.spec.path}')"
expect_equal "production's Kustomization is Ready" True \
  "$(production -n flux-system get $kustomizations flux-system -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')"
expect_equal "production builds its folder" ./clusters/production \
  "$(production -n flux-system get $kustomizations flux-system -o jsonpath='{.spec.path}')"
expect_equal "production fetches every 5m" 5m0s \
  "$(production -n flux-system get gitrepositories.source.toolkit.fluxcd.io flux-system -o jsonpath='{.spec.interval}')"
if kubectl get namespace flux-system -o jsonpath='{.metadata.uid}' | grep -qx "$(production get namespace flux-system -o jsonpath='{.metadata.uid}')"; then
  fail "staging and production are the same cluster"
fi
echo "ok: staging and production are two clusters"

status=0
output=$(tofu_in "$folder" plan -detailed-exitcode -input=false -no-color "${variables[@]}" 2>&1) || status=$?
[[ $status -eq 0 ]] || { echo "$output" | tail -n 30 >&2; fail "a second plan is not empty (exit $status)"; }
echo "ok: a second plan has nothing to do"

expect "tofu destroy" tofu_in "$folder" destroy -auto-approve -input=false -no-color "${variables[@]}"
[[ -z "$(ground read "$name" main)" ]] || fail "files are left in Git after destroy"
echo "ok: destroy removed both clusters' files"
if production get namespace flux-system -o jsonpath='{.status.phase}' 2>/dev/null | grep -q Active; then
  fail "production's flux-system is still active after destroy"
fi
echo "ok: destroy uninstalled production"
