# modules/fleet under `tofu test` on the test ground: two clusters (two namespaces of the ground's
# cluster, each reconciler watching only its own) bootstrapped concurrently into one new
# repository over SSH. The validation runs reject bad maps; the apply run checks the outputs and
# passes only when both reconcilers applied their commit; the test's destroy removes both
# clusters' files from Git.
source "$(dirname "$0")/modules_env.sh"

name=module-fleet-$(random_suffix)
suffix=$(random_suffix)
url=$(new_repository "$name" SSH)
folder=$scratch/fleet/modules/fleet
mkdir -p "$scratch/fleet"
cp -r "$FLUXCPP_SOURCE_DIR/modules" "$scratch/fleet/modules"
rm -rf "$folder/.terraform" "$folder/.terraform.lock.hcl"
namespaces+=("fleet-a-$suffix" "fleet-b-$suffix")
{
  echo "repository_url = \"$url\""
  echo "create_timeout = \"3m\""
  echo "clusters = {"
  echo "  alpha = { kubeconfig_path = \"$KUBECONFIG\", namespace = \"fleet-a-$suffix\", watch_all_namespaces = false }"
  echo "  beta  = { kubeconfig_path = \"$KUBECONFIG\", namespace = \"fleet-b-$suffix\", watch_all_namespaces = false, interval = \"30s\" }"
  echo "}"
  ssh_credentials_tfvars ssh
} >"$folder/ground.tfvars"
# Provider for_each is evaluated by init, so init needs the clusters too.
expect "tofu init with the fleet's clusters" tofu_in "$folder" init -input=false -no-color -var-file=ground.tfvars
output=$(tofu_in "$folder" test -no-color -var-file=ground.tfvars 2>&1) || {
  echo "$output" | tail -n 40 >&2
  fail "tofu test of modules/fleet"
}
grep -q 'run "bootstraps_every_cluster"... pass' <<<"$output" || { echo "$output" >&2; fail "the apply run did not pass"; }
echo "ok: tofu test passes ($(grep -c '\.\.\. pass' <<<"$output") runs)"
commits=$(git -C "$FLUXCPP_GROUND/git/repos/$name.git" rev-list --count refs/heads/main)
((commits >= 4)) || fail "$name has $commits commits on main, not two bootstraps and two removals"
echo "ok: both clusters committed to the one repository and removed their files ($commits commits)"
[[ -z "$(ground read "$name" main)" ]] || fail "files are left in $name after the destroy: $(ground read "$name" main)"
echo "ok: the destroy removed every cluster's files"
