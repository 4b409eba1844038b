# examples/ssh-deploy-key and examples/https-token as a user runs them, on the test ground:
# `tofu apply` bootstraps a new repository (the real flux-reconciler reconciles the commit), the
# cluster's Kustomization is Ready at the pushed commit, a second plan has nothing to do, and
# `tofu destroy` removes the files from Git and the namespace from the cluster.
source "$(dirname "$0")/modules_env.sh"

run_example() {
  local example=$1 scheme=$2 secret=$3 name namespace url folder head applied
  shift 3
  name=example-$example-$(random_suffix)
  namespace=ex-$(random_suffix)
  namespaces+=("$namespace")
  url=$(new_repository "$name" "$scheme")
  folder=$(use_folder "examples/$example" "$example")
  local variables=(-var "kubeconfig_path=$KUBECONFIG" -var "repository_url=$url" -var "namespace=$namespace"
    -var "cluster_path=clusters/dev" "$@")
  expect "$example: $tf_cli apply" tofu_in "$folder" apply -auto-approve -input=false -no-color "${variables[@]}"
  expect_equal "$example: the namespace output" "$namespace" "$(tofu_in "$folder" output -raw namespace)"
  expect_equal "$example: the repository_files output" \
    "clusters/dev/$namespace/gotk-components.yaml clusters/dev/$namespace/gotk-sync.yaml clusters/dev/$namespace/kustomization.yaml" \
    "$(tofu_in "$folder" output -json repository_files | jq -r 'join(" ")')"
  expect_ready "$namespace" kustomizations.kustomize.toolkit.fluxcd.io "$namespace"
  # The credentials are provider settings: they reach the cluster's Secret, never the state.
  if grep -qF -- "$secret" "$folder/terraform.tfstate"; then fail "$example: the credentials are in the state"; fi
  echo "ok: $example: the credentials are not in the state"
  head=$(git -C "$FLUXCPP_GROUND/git/repos/$name.git" rev-parse refs/heads/main)
  applied=$(kubectl -n "$namespace" get kustomizations.kustomize.toolkit.fluxcd.io "$namespace" \
    -o jsonpath='{.status.lastAppliedRevision}')
  expect_equal "$example: the cluster applied the pushed commit" "main@sha1:$head" "$applied"
  local status=0 output
  output=$(tofu_in "$folder" plan -detailed-exitcode -input=false -no-color "${variables[@]}" 2>&1) || status=$?
  [[ $status -eq 0 ]] || { echo "$output" | tail -n 30 >&2; fail "$example: a second plan is not empty (exit $status)"; }
  echo "ok: $example: a second plan has nothing to do"
  expect "$example: $tf_cli destroy" tofu_in "$folder" destroy -auto-approve -input=false -no-color "${variables[@]}"
  [[ -z "$(ground read "$name" main)" ]] || fail "$example: files are left in Git after destroy"
  echo "ok: $example: destroy removed the files from Git"
  if kubectl get namespace "$namespace" -o jsonpath='{.status.phase}' 2>/dev/null | grep -q Active; then
    fail "$example: namespace $namespace is still active after destroy"
  fi
  echo "ok: $example: destroy removed the namespace"
}

# A line from the middle of the private key, and the password, must not show up in the state.
run_example ssh-deploy-key SSH "$(sed -n 2p "$GIT_SSH_KEY")" -var "private_key_file=$GIT_SSH_KEY" -var "known_hosts_file=$GIT_KNOWN_HOSTS"
run_example https-token HTTPS "$GIT_PASSWORD" -var "git_username=$GIT_USERNAME" -var "git_token=$GIT_PASSWORD" -var "ca_file=$GIT_CA_FILE"
