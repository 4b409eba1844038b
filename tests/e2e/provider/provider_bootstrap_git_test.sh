# flux_bootstrap_git through a real OpenTofu on the test ground, with HCL written for the Go
# provider (SSH, then HTTPS): apply bootstraps (a stand-in reconciler reports the Kustomization
# applied; over SSH the cluster's settings are known only during the apply), a second plan has
# nothing to do, import by namespace then an empty plan, a file deleted in Git and the GitRepository
# deleted in the cluster show as drift and apply repairs them, a new path moves the files, destroy
# removes the install and the files (also when the namespace is already gone); credentials changed
# in the cluster's Secret are put back; wrong credentials fail fast and change nothing.
source "$(dirname "$0")/provider_env.sh"
require_ground

stand_in=$FLUXCPP_BINARY_DIR/tests/stand_in_reconciler
[[ -x "$stand_in" ]] || fail "$stand_in is not built"
stand_in_pids=()
cleanup() {
  local pid
  for pid in "${stand_in_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for namespace in "${namespaces[@]}"; do kubectl delete namespace "$namespace" --wait=false >/dev/null 2>&1 || true; done
}
namespaces=()
trap cleanup EXIT
suffix() { head -c 64 /dev/urandom | tr -dc 'a-z0-9' | head -c 8; }

# Removes PATH from the branch main of the ground repository NAME, as someone else would.
delete_in_git() {
  local name=$1 path=$2 clone=$scratch/clone-$1
  rm -rf "$clone"
  git clone -q "$FLUXCPP_GROUND/git/repos/$name.git" "$clone"
  git -C "$clone" rm -q "$path"
  git -C "$clone" -c user.name=someone -c user.email=someone@example.com commit -q -m "remove $path"
  git -C "$clone" push -q origin HEAD:main
}

run_variant() {
  local variant=$1 name namespace status output
  name=tf-$variant-$(suffix)
  namespace=tf-$variant-$(suffix)
  namespaces+=("$namespace")
  local urls
  urls=$(ground repo "$name")
  use_config "bootstrap_$variant"
  export TF_VAR_kubeconfig=$KUBECONFIG TF_VAR_namespace=$namespace
  if [[ $variant == ssh ]]; then
    export TF_VAR_url
    TF_VAR_url=$(sed -n 's/^export GIT_SSH_URL=//p' <<<"$urls")
    export TF_VAR_private_key_file=$GIT_SSH_KEY TF_VAR_known_hosts_file=$GIT_KNOWN_HOSTS
  else
    export TF_VAR_url
    TF_VAR_url=$(sed -n 's/^export GIT_HTTPS_URL=//p' <<<"$urls")
    export TF_VAR_username=$GIT_USERNAME TF_VAR_password=$GIT_PASSWORD TF_VAR_ca_file=$GIT_CA_FILE
  fi
  "$stand_in" "$namespace" 2>"$scratch/stand-in-$variant.log" &
  stand_in_pids+=($!)

  expect "$variant: tofu apply bootstraps" tofu apply -auto-approve -input=false -no-color
  expect_equal "$variant: repository_files holds the three bootstrap files" \
    "clusters/test/$namespace/gotk-components.yaml clusters/test/$namespace/gotk-sync.yaml clusters/test/$namespace/kustomization.yaml" \
    "$(tofu output -json files | jq -r 'join(" ")')"
  expect "$variant: the files are in Git" ground read "$name" main "clusters/test/$namespace/gotk-sync.yaml"
  expect_equal "$variant: the Kustomization is Ready" True \
    "$(kubectl -n "$namespace" get kustomizations.kustomize.toolkit.fluxcd.io "$namespace" \
      -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')"
  expect_equal "$variant: the state's id is the namespace" "$namespace" \
    "$(tofu show -json | jq -r '.values.root_module.resources[0].values.id')"
  expect_no_changes "$variant: a second plan has nothing to do"

  expect "$variant: forget the resource" tofu state rm flux_bootstrap_git.this
  expect "$variant: import by namespace" tofu import -input=false -no-color flux_bootstrap_git.this "$namespace"
  if [[ $variant == ssh ]]; then
    # The timeouts attribute is configuration only: import cannot know it, so the plan sets it.
    output=$(tofu plan -input=false -no-color 2>&1) || fail "$variant: plan after import failed"
    grep -q '+ timeouts *= {' <<<"$output" || { echo "$output" >&2; fail "$variant: the plan after import does not set timeouts"; }
    if grep -q 'repository_files' <<<"$output"; then echo "$output" >&2; fail "$variant: the plan after import changes repository_files"; fi
    echo "ok: $variant: a plan after import sets only the timeouts attribute"
    expect "$variant: apply after import" tofu apply -auto-approve -input=false -no-color
  fi
  expect_no_changes "$variant: a plan after import has nothing to do"

  delete_in_git "$name" "clusters/test/$namespace/gotk-sync.yaml"
  status=0
  output=$(tofu plan -detailed-exitcode -input=false -no-color 2>&1) || status=$?
  [[ $status -eq 2 ]] || { echo "$output" | tail -n 30 >&2; fail "$variant: a file deleted in Git shows no diff (plan exit $status)"; }
  grep -q 'repository_files' <<<"$output" || fail "$variant: the drift plan does not name repository_files"
  echo "ok: $variant: a file deleted in Git shows as a diff on repository_files"
  expect "$variant: apply repairs the drift" tofu apply -auto-approve -input=false -no-color
  expect "$variant: the file is back in Git" ground read "$name" main "clusters/test/$namespace/gotk-sync.yaml"
  expect_no_changes "$variant: after the repair a plan has nothing to do"

  expect "$variant: delete the GitRepository in the cluster" \
    kubectl -n "$namespace" delete gitrepositories.source.toolkit.fluxcd.io "$namespace" --timeout=30s
  status=0
  output=$(tofu plan -detailed-exitcode -input=false -no-color 2>&1) || status=$?
  [[ $status -eq 2 ]] || { echo "$output" | tail -n 30 >&2; fail "$variant: a GitRepository deleted in the cluster shows no diff (plan exit $status)"; }
  echo "ok: $variant: a GitRepository deleted in the cluster shows as a diff"
  expect "$variant: apply restores the GitRepository" tofu apply -auto-approve -input=false -no-color
  expect "$variant: the GitRepository is back" \
    kubectl -n "$namespace" get gitrepositories.source.toolkit.fluxcd.io "$namespace"
  expect_no_changes "$variant: after restoring the GitRepository a plan has nothing to do"

  if [[ $variant == https ]]; then
    expect "$variant: the Secret's password is changed in the cluster" kubectl -n "$namespace" patch secret flux-system \
      --type merge -p '{"data":{"password":"c3RhbGU="}}'
    status=0
    output=$(tofu plan -detailed-exitcode -input=false -no-color 2>&1) || status=$?
    [[ $status -eq 2 ]] || { echo "$output" | tail -n 30 >&2; fail "$variant: stale credentials in the cluster show no diff (plan exit $status)"; }
    grep -q 'Flux Git credentials out of date' <<<"$output" || fail "$variant: the plan does not say why"
    echo "ok: $variant: stale credentials in the cluster show as a diff"
    expect "$variant: apply updates the Secret" tofu apply -auto-approve -input=false -no-color
    expect_equal "$variant: the Secret holds the provider's password again" "$GIT_PASSWORD" \
      "$(kubectl -n "$namespace" get secret flux-system -o jsonpath='{.data.password}' | base64 -d)"
    expect_no_changes "$variant: after updating the Secret a plan has nothing to do"

    expect "$variant: apply with a new path" tofu apply -auto-approve -input=false -no-color -var path=clusters/moved
    expect "$variant: the files are at the new path" ground read "$name" main "clusters/moved/$namespace/gotk-sync.yaml"
    if ground read "$name" main "clusters/test/$namespace/gotk-sync.yaml" >/dev/null 2>&1; then
      fail "$variant: the files at the old path are still in Git"
    fi
    echo "ok: $variant: the files at the old path are removed"
    expect_equal "$variant: the Kustomization builds the new path" ./clusters/moved \
      "$(kubectl -n "$namespace" get kustomizations.kustomize.toolkit.fluxcd.io "$namespace" -o jsonpath='{.spec.path}')"
    expect_no_changes "$variant: after the move a plan has nothing to do" -var path=clusters/moved
    expect "$variant: the namespace is deleted behind tofu's back" kubectl delete namespace "$namespace" --timeout=120s
    expect "$variant: tofu destroy succeeds when the namespace is already gone" \
      tofu destroy -auto-approve -input=false -no-color -var path=clusters/moved
    if ground read "$name" main "clusters/moved/$namespace/gotk-sync.yaml" >/dev/null 2>&1; then
      fail "$variant: the bootstrap files are still in Git"
    fi
    echo "ok: $variant: the bootstrap files are removed from Git"
    return
  fi
  expect "$variant: tofu destroy" tofu destroy -auto-approve -input=false -no-color
  if kubectl get namespace "$namespace" >/dev/null 2>&1; then fail "$variant: the namespace is still there"; fi
  echo "ok: $variant: the namespace is gone"
  if ground read "$name" main "clusters/test/$namespace/gotk-sync.yaml" >/dev/null 2>&1; then
    fail "$variant: the bootstrap files are still in Git"
  fi
  echo "ok: $variant: the bootstrap files are removed from Git"
}

# Wrong Git credentials fail the apply quickly with an error that says so, and leave Git and the
# cluster as they were.
run_wrong_credentials() {
  local name namespace urls status=0 output
  name=tf-wrong-$(suffix)
  namespace=tf-wrong-$(suffix)
  namespaces+=("$namespace")
  urls=$(ground repo "$name")
  use_config bootstrap_https
  export TF_VAR_kubeconfig=$KUBECONFIG TF_VAR_namespace=$namespace TF_VAR_url
  TF_VAR_url=$(sed -n 's/^export GIT_HTTPS_URL=//p' <<<"$urls")
  export TF_VAR_username=$GIT_USERNAME TF_VAR_password=not-the-password TF_VAR_ca_file=$GIT_CA_FILE
  local started=$SECONDS
  expect_failure "wrong credentials: apply fails naming the cause" 'authenticat|credential|401|denied' \
    tofu apply -auto-approve -input=false -no-color
  (( SECONDS - started < 120 )) || fail "wrong credentials: the failure took $((SECONDS - started))s"
  if kubectl get namespace "$namespace" >/dev/null 2>&1; then fail "wrong credentials: the namespace was created"; fi
  [[ -z "$(ground read "$name" main 2>/dev/null || true)" ]] || fail "wrong credentials: something was pushed"
  echo "ok: wrong credentials: Git and the cluster are as they were"
}

run_variant ssh
run_variant https
run_wrong_credentials
