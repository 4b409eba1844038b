# modules/bootstrap-git under `tofu test` (or `terraform test`, FLUXCPP_TF_CLI=terraform) on
# the test ground, over SSH and over HTTPS: the validation runs reject bad inputs, the apply
# run bootstraps a new repository (the real flux-reconciler reconciles the commit, else the
# apply times out) and checks the outputs, and the test's destroy removes the files from Git
# and the namespace from the cluster.
source "$(dirname "$0")/modules_env.sh"

run_variant() {
  local variant=$1 scheme=$2 name namespace url folder output
  name=module-$variant-$(random_suffix)
  namespace=bg-$variant-$(random_suffix)
  namespaces+=("$namespace")
  url=$(new_repository "$name" "$scheme")
  folder=$(use_folder modules/bootstrap-git "bootstrap-git-$variant")
  {
    echo "kubeconfig_path = \"$KUBECONFIG\""
    echo "repository_url  = \"$url\""
    echo "path            = \"clusters/$variant\""
    echo "namespace       = \"$namespace\""
    echo "create_timeout  = \"3m\""
    "${variant}_credentials_tfvars" "$variant"
  } >"$folder/ground.tfvars"
  if ! output=$(tofu_in "$folder" test -no-color -var-file=ground.tfvars 2>&1); then
    echo "$output" | tail -n 40 >&2
    fail "$variant: $tf_cli test of modules/bootstrap-git"
  fi
  grep -q 'run "bootstraps_the_cluster"... pass' <<<"$output" || { echo "$output" >&2; fail "$variant: the apply run did not pass"; }
  echo "ok: $variant: $tf_cli test passes ($(grep -c '\.\.\. pass' <<<"$output") runs)"
  if ground read "$name" main "clusters/$variant/$namespace/gotk-sync.yaml" >/dev/null 2>&1; then
    fail "$variant: the bootstrap files are still in Git after the test's destroy"
  fi
  echo "ok: $variant: the destroy removed the bootstrap files from Git"
  local commits
  commits=$(git -C "$FLUXCPP_GROUND/git/repos/$name.git" rev-list --count refs/heads/main 2>/dev/null || echo 0)
  ((commits >= 2)) || fail "$variant: $name has $commits commits on main, not the bootstrap's and the removal's"
  echo "ok: $variant: $name holds the bootstrap commit and the removal commit"
  if kubectl get namespace "$namespace" -o jsonpath='{.status.phase}' 2>/dev/null | grep -q Active; then
    fail "$variant: namespace $namespace is still active after the destroy"
  fi
  echo "ok: $variant: the destroy removed namespace $namespace"
}

run_variant ssh SSH
run_variant https HTTPS
