# flux_bootstrap_git through a real OpenTofu or Terraform (FLUXCPP_TF_CLI) on the test ground,
# with HCL written for the Go provider (SSH, then HTTPS), and the real flux-reconciler run by
# the pod runner for the namespace's Pods: apply bootstraps and the reconciler applies the
# pushed commit (over SSH the cluster's settings are known only during the apply); a second
# plan has nothing to do; import by namespace then an empty plan; a file deleted in Git and
# the GitRepository deleted in the cluster show as drift and apply repairs them; new interval,
# kustomization_override (its patch applied by the reconciler), registry_credentials (a pull
# Secret in the cluster, nothing in Git), branch and path reach the in-cluster objects,
# the path move without the reconciler ever missing and without waiting for the interval;
# credentials changed in the cluster's Secret are put back; destroy with keep_namespace and
# without delete_git_manifests keeps both, a plain destroy removes the install and the files
# (also when the namespace is already gone); wrong credentials and an unreachable, a black-holed
# or a silent Git host fail fast and change nothing.
source "$(dirname "$0")/provider_env.sh"
source "$(dirname "$0")/../lib/pod_runner.sh"
require_ground

namespaces=()
cleanup() {
  stop_pod_runners
  # Without their finalizers: a later reconciler (watching all namespaces) would otherwise finalize
  # these Kustomizations and prune their inventories, the shared CRDs among them.
  local namespace kind
  for namespace in "${namespaces[@]}"; do
    for kind in kustomizations.kustomize.toolkit.fluxcd.io gitrepositories.source.toolkit.fluxcd.io; do
      kubectl -n "$namespace" patch "$kind" "$namespace" --type merge -p '{"metadata":{"finalizers":null}}' >/dev/null 2>&1 || true
    done
    kubectl delete namespace "$namespace" --wait=false >/dev/null 2>&1 || true
  done
  rm -rf "$scratch"
}
trap cleanup EXIT
# The provider names drift in the cluster with a warning, in the plan and in the apply that
# repairs it; tf() fails on any other.
expected_warnings='Flux sync objects missing|Flux Git credentials out of date|Registry credentials out of date'
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

flux_object() { kubectl -n "$1" get "$2.$3" "$1" -o jsonpath="$4"; }
state_revision() {
  tf show -json | jq -r '.values.root_module.resources[] | select(.type == "flux_bootstrap_git") | .values.revision'
}
gitrepository() { flux_object "$1" gitrepositories source.toolkit.fluxcd.io "$2"; }
kustomization() { flux_object "$1" kustomizations kustomize.toolkit.fluxcd.io "$2"; }
ready='{.status.conditions[?(@.type=="Ready")].status}'

# expect_synced DESCRIPTION NAMESPACE REPOSITORY BRANCH [COMMIT]: the reconciler has fetched
# COMMIT (the head of BRANCH) and applied it: GitRepository and Kustomization Ready at that commit,
# its Deployment available.
expect_synced() {
  local description=$1 namespace=$2 name=$3 branch=$4 head
  head=$(git --git-dir "$FLUXCPP_GROUND/git/repos/$name.git" rev-parse "${5:-$branch}")
  # Right after a reconciler restart the new process may first wait for its leader Lease (up to
  # the lease duration, 35 s, when the old one could not release it), so the state is polled.
  local deadline=$((SECONDS + 60))
  until [[ $(gitrepository "$namespace" "$ready") == True && $(kustomization "$namespace" "$ready") == True &&
    $(gitrepository "$namespace" '{.status.artifact.revision}') == "$branch@sha1:$head" &&
    $(kustomization "$namespace" '{.status.lastAppliedRevision}') == "$branch@sha1:$head" ]] ||
    ((SECONDS >= deadline)); do
    sleep 1
  done
  if [[ $(gitrepository "$namespace" "$ready") != True || $(kustomization "$namespace" "$ready") != True ||
    $(gitrepository "$namespace" '{.status.artifact.revision}') != "$branch@sha1:$head" ||
    $(kustomization "$namespace" '{.status.lastAppliedRevision}') != "$branch@sha1:$head" ]]; then
    kubectl -n "$namespace" get gitrepositories.source.toolkit.fluxcd.io,kustomizations.kustomize.toolkit.fluxcd.io \
      -o yaml | grep -A30 '^  status:' >&2 || true
    reconciler_logs "$namespace" >&2
    fail "$description: the reconciler has not applied $branch@sha1:$head"
  fi
  expect_equal "$description: the reconciler is available" 1 \
    "$(kubectl -n "$namespace" get deployment flux-reconciler -o jsonpath='{.status.availableReplicas}')"
  echo "ok: $description: the reconciler applied $branch@sha1:$head"
}

# expect_diff DESCRIPTION [ARGS...]: `tf plan -detailed-exitcode` has changes (exit 2); the plan's
# output is in $plan_output.
expect_diff() {
  local description=$1 status=0
  shift
  plan_output=$(tf plan -detailed-exitcode -input=false -no-color "$@" 2>&1) || status=$?
  [[ $status -eq 2 ]] || { echo "$plan_output" | tail -n 30 >&2; fail "$description: no diff (plan exit $status)"; }
  echo "ok: $description"
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
  start_pod_runner "$namespace"

  local started=$SECONDS
  expect "$variant: tf apply bootstraps" tf apply -auto-approve -input=false -no-color
  echo "ok: $variant: the bootstrap took $((SECONDS - started))s"
  expect_equal "$variant: repository_files holds the three bootstrap files" \
    "clusters/test/$namespace/gotk-components.yaml clusters/test/$namespace/gotk-sync.yaml clusters/test/$namespace/kustomization.yaml" \
    "$(tf output -json files | jq -r 'join(" ")')"
  expect "$variant: the files are in Git" ground read "$name" main "clusters/test/$namespace/gotk-sync.yaml"
  expect_synced "$variant: after the bootstrap" "$namespace" "$name" main
  expect_equal "$variant: the state's id is the namespace" "$namespace" \
    "$(tf show -json | jq -r '.values.root_module.resources[] | select(.type == "flux_bootstrap_git") | .values.id')"
  expect_equal "$variant: the state's revision is the pushed head" \
    "main@sha1:$(git --git-dir "$FLUXCPP_GROUND/git/repos/$name.git" rev-parse main)" "$(state_revision)"
  expect "$variant: Flux's CLI sees the Kustomization Ready" bash -c \
    "flux get kustomizations -n $namespace --no-header | grep -qw True"
  expect_no_changes "$variant: a second plan has nothing to do"

  expect "$variant: forget the resource" tf state rm flux_bootstrap_git.this
  expect "$variant: import by namespace" tf import -input=false -no-color flux_bootstrap_git.this "$namespace"
  if [[ $variant == ssh ]]; then
    # The timeouts attribute is configuration only: import cannot know it, so the plan sets it.
    output=$(tf plan -input=false -no-color 2>&1) || fail "$variant: plan after import failed"
    grep -q '+ timeouts *= {' <<<"$output" || { echo "$output" >&2; fail "$variant: the plan after import does not set timeouts"; }
    if grep -q 'repository_files' <<<"$output"; then echo "$output" >&2; fail "$variant: the plan after import changes repository_files"; fi
    echo "ok: $variant: a plan after import sets only the timeouts attribute"
    expect "$variant: apply after import" tf apply -auto-approve -input=false -no-color
  fi
  expect_no_changes "$variant: a plan after import has nothing to do"
  expect_equal "$variant: import reads the revision from the branch head" \
    "main@sha1:$(git --git-dir "$FLUXCPP_GROUND/git/repos/$name.git" rev-parse main)" "$(state_revision)"

  delete_in_git "$name" "clusters/test/$namespace/gotk-sync.yaml"
  expect_diff "$variant: a file deleted in Git shows as a diff"
  grep -q 'repository_files' <<<"$plan_output" || fail "$variant: the drift plan does not name repository_files"
  echo "ok: $variant: the diff is on repository_files"
  expect "$variant: apply repairs the drift" tf apply -auto-approve -input=false -no-color
  expect "$variant: the file is back in Git" ground read "$name" main "clusters/test/$namespace/gotk-sync.yaml"
  expect_synced "$variant: after the repair" "$namespace" "$name" main
  expect_no_changes "$variant: after the repair a plan has nothing to do"

  # A running reconciler re-applies a deleted GitRepository itself at once (it is in its
  # Kustomization's inventory), so the drift is made while the reconciler is down, as after a crash;
  # without it nothing removes the finalizer.
  stop_pod_runners
  expect "$variant: delete the GitRepository in the cluster" bash -c "
    kubectl -n $namespace patch gitrepositories.source.toolkit.fluxcd.io $namespace --type merge -p '{\"metadata\":{\"finalizers\":null}}' &&
    kubectl -n $namespace delete gitrepositories.source.toolkit.fluxcd.io $namespace --timeout=30s"
  expect_diff "$variant: a GitRepository deleted in the cluster shows as a diff"
  grep -q 'Flux sync objects missing' <<<"$plan_output" || fail "$variant: the plan does not say the sync objects are missing"
  start_pod_runner "$namespace"
  expect "$variant: apply restores the GitRepository" tf apply -auto-approve -input=false -no-color
  expect_synced "$variant: after restoring the GitRepository" "$namespace" "$name" main
  expect_no_changes "$variant: after restoring the GitRepository a plan has nothing to do"

  if [[ $variant == ssh ]]; then
    run_ssh_updates_and_destroy "$name" "$namespace"
  else
    run_https_updates_and_destroy "$name" "$namespace"
  fi
}

# The patched Deployment's annotation example.com/patched in NAMESPACE.
patched_annotation() {
  kubectl -n "$1" get deployment flux-reconciler -o jsonpath='{.metadata.annotations.example\.com/patched}'
}

# A kustomization.yaml for the bootstrap folder that patches the reconciler's Deployment with the
# annotation example.com/patched: VALUE.
override_with_annotation() {
  cat <<OVERRIDE
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - gotk-components.yaml
  - gotk-sync.yaml
patches:
  - target:
      kind: Deployment
      name: flux-reconciler
    patch: |
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: flux-reconciler
        annotations:
          example.com/patched: "$1"
OVERRIDE
}

# kustomization_override replaces kustomization.yaml in Git, its patch reaches the cluster through
# the reconciler (which puts it back when removed by hand), and a changed override is committed and
# applied.
run_kustomization_override() {
  local name=$1 namespace=$2 variant=ssh value
  for value in first second; do
    export TF_VAR_kustomization_override
    TF_VAR_kustomization_override=$(override_with_annotation "$value")
    expect "$variant: apply with a kustomization_override ($value)" tf apply -auto-approve -input=false -no-color
    expect_equal "$variant: kustomization.yaml in Git is the override ($value)" "$TF_VAR_kustomization_override" \
      "$(ground read "$name" main "clusters/test/$namespace/kustomization.yaml")"
    expect_synced "$variant: after the override ($value)" "$namespace" "$name" main
    expect_equal "$variant: the override's patch is on the Deployment ($value)" "$value" "$(patched_annotation "$namespace")"
    expect_no_changes "$variant: after the override ($value) a plan has nothing to do"
  done
  expect "$variant: the patched annotation is removed by hand" \
    kubectl -n "$namespace" annotate deployment flux-reconciler example.com/patched-
  expect "$variant: a reconcile" flux reconcile kustomization "$namespace" -n "$namespace" --with-source --timeout=1m
  expect_equal "$variant: the reconciler applied the patch again" second "$(patched_annotation "$namespace")"
  unset TF_VAR_kustomization_override
  expect "$variant: apply without the override" tf apply -auto-approve -input=false -no-color
  local generated
  generated=$(ground read "$name" main "clusters/test/$namespace/kustomization.yaml")
  if ! grep -q gotk-sync.yaml <<<"$generated" || grep -q patches <<<"$generated"; then
    fail "$variant: kustomization.yaml is not the generated one again: $generated"
  fi
  echo "ok: $variant: kustomization.yaml is the generated one again"
  expect_synced "$variant: after removing the override" "$namespace" "$name" main
}

# registry_credentials: a dockerconfigjson Secret named image_pull_secret for the registry's host in
# the cluster, the Deployment pulls with it, nothing of it in Git or in the CLI's output; new
# credentials reach the Secret.
run_registry_credentials() {
  local name=$1 namespace=$2 variant=ssh password output attempt
  export TF_VAR_image_pull_secret=registry-pull TF_VAR_registry_credentials
  for attempt in 1 2; do
    password=registry-$(suffix)
    TF_VAR_registry_credentials=robot:$password
    output=$(tf apply -auto-approve -input=false -no-color 2>&1) || { echo "$output" >&2; fail "$variant: apply with registry_credentials ($attempt)"; }
    if grep -q "$password" <<<"$output"; then fail "$variant: tf printed the registry password"; fi
    echo "ok: $variant: apply with registry_credentials ($attempt), the password not printed"
    expect_equal "$variant: the pull Secret's type ($attempt)" kubernetes.io/dockerconfigjson \
      "$(kubectl -n "$namespace" get secret registry-pull -o jsonpath='{.type}')"
    expect_equal "$variant: the pull Secret holds the credentials for ghcr.io ($attempt)" "robot:$password" \
      "$(kubectl -n "$namespace" get secret registry-pull -o jsonpath='{.data.\.dockerconfigjson}' | base64 -d |
        jq -r '.auths["ghcr.io"] | .username + ":" + .password')"
    expect_equal "$variant: the Deployment pulls with the Secret ($attempt)" registry-pull \
      "$(kubectl -n "$namespace" get deployment flux-reconciler -o jsonpath='{.spec.template.spec.imagePullSecrets[*].name}')"
    if git --git-dir "$FLUXCPP_GROUND/git/repos/$name.git" log -p --all | grep -q -e "$password" -e dockerconfigjson; then
      fail "$variant: the registry credentials are in Git"
    fi
    echo "ok: $variant: the registry credentials are not in Git ($attempt)"
    expect_synced "$variant: with registry_credentials ($attempt)" "$namespace" "$name" main
    expect_no_changes "$variant: with registry_credentials ($attempt) a plan has nothing to do"
  done
  expect "$variant: the pull Secret is deleted in the cluster" kubectl -n "$namespace" delete secret registry-pull
  expect_diff "$variant: a missing pull Secret shows as a diff"
  grep -q 'Registry credentials out of date' <<<"$plan_output" || fail "$variant: the plan does not say why"
  expect "$variant: apply restores the pull Secret" tf apply -auto-approve -input=false -no-color
  expect_equal "$variant: the restored pull Secret holds the credentials" "robot:$password" \
    "$(kubectl -n "$namespace" get secret registry-pull -o jsonpath='{.data.\.dockerconfigjson}' | base64 -d |
      jq -r '.auths["ghcr.io"] | .username + ":" + .password')"
  expect_no_changes "$variant: after restoring the pull Secret a plan has nothing to do"
}

# A new interval reaches the GitRepository (the Kustomization keeps Flux's fixed 10m0s, as `flux
# bootstrap` writes it) (a new branch: see below); destroy with
# keep_namespace and without delete_git_manifests keeps both; a second bootstrap into the kept
# namespace works; a plain destroy removes the namespace and the files.
run_ssh_updates_and_destroy() {
  local name=$1 namespace=$2 variant=ssh
  expect "$variant: apply with a new interval" tf apply -auto-approve -input=false -no-color -var interval=3m0s
  expect_equal "$variant: the GitRepository has the new interval" 3m0s "$(gitrepository "$namespace" '{.spec.interval}')"
  expect_synced "$variant: after the new interval" "$namespace" "$name" main
  expect_no_changes "$variant: after the new interval a plan has nothing to do" -var interval=3m0s
  export TF_VAR_interval=3m0s

  run_kustomization_override "$name" "$namespace"
  run_registry_credentials "$name" "$namespace"

  # A new branch (created from main, so it starts with main's gotk-sync.yaml): the files are
  # committed to it, the in-cluster GitRepository follows it and the reconciler applies its head.
  local branch=other
  git --git-dir "$FLUXCPP_GROUND/git/repos/$name.git" branch other main
  expect "$variant: apply with a new branch" tf apply -auto-approve -input=false -no-color -var branch=other
  expect_equal "$variant: the GitRepository follows the new branch" other "$(gitrepository "$namespace" '{.spec.ref.branch}')"
  grep -q 'branch: other' <<<"$(ground read "$name" other "clusters/test/$namespace/gotk-sync.yaml")" ||
    fail "$variant: gotk-sync.yaml on the new branch does not follow it"
  echo "ok: $variant: the files on the new branch follow it"
  expect_synced "$variant: after the new branch" "$namespace" "$name" other
  expect_equal "$variant: the revision follows the new branch" \
    "other@sha1:$(git --git-dir "$FLUXCPP_GROUND/git/repos/$name.git" rev-parse other)" "$(state_revision)"
  expect_no_changes "$variant: after the new branch a plan has nothing to do" -var branch=other
  # The reconciler applies the new branch's gotk-sync.yaml from now on, which names the new branch.
  expect "$variant: a reconcile from the new branch" flux reconcile kustomization "$namespace" -n "$namespace" --with-source --timeout=1m
  expect_equal "$variant: the GitRepository still follows the new branch" other "$(gitrepository "$namespace" '{.spec.ref.branch}')"
  export TF_VAR_branch=other

  expect "$variant: apply keep_namespace and no delete_git_manifests" \
    tf apply -auto-approve -input=false -no-color -var keep_namespace=true -var delete_git_manifests=false
  expect "$variant: tf destroy keeping the namespace and the files" \
    tf destroy -auto-approve -input=false -no-color -var keep_namespace=true -var delete_git_manifests=false
  expect "$variant: the namespace is kept" kubectl get namespace "$namespace"
  if kubectl -n "$namespace" get deployment flux-reconciler >/dev/null 2>&1; then fail "$variant: the reconciler is still there"; fi
  echo "ok: $variant: the reconciler is gone"
  expect "$variant: the files are kept in Git" ground read "$name" "$branch" "clusters/test/$namespace/gotk-sync.yaml"

  expect "$variant: a bootstrap into the kept namespace" tf apply -auto-approve -input=false -no-color
  expect_synced "$variant: after the second bootstrap" "$namespace" "$name" "$branch"
  expect "$variant: tf destroy" tf destroy -auto-approve -input=false -no-color
  if kubectl get namespace "$namespace" >/dev/null 2>&1; then fail "$variant: the namespace is still there"; fi
  echo "ok: $variant: the namespace is gone"
  if ground read "$name" "$branch" "clusters/test/$namespace/gotk-sync.yaml" >/dev/null 2>&1; then
    fail "$variant: the bootstrap files are still in Git"
  fi
  echo "ok: $variant: the bootstrap files are removed from Git"
  unset TF_VAR_interval TF_VAR_branch TF_VAR_image_pull_secret TF_VAR_registry_credentials
}

# Credentials changed in the cluster are put back; a new path moves the files and the Kustomization;
# destroy works when the namespace is already gone.
run_https_updates_and_destroy() {
  local name=$1 namespace=$2 variant=https
  expect "$variant: the Secret's password is changed in the cluster" kubectl -n "$namespace" patch secret flux-system \
    --type merge -p '{"data":{"password":"c3RhbGU="}}'
  expect_diff "$variant: stale credentials in the cluster show as a diff"
  grep -q 'Flux Git credentials out of date' <<<"$plan_output" || fail "$variant: the plan does not say why"
  expect "$variant: apply updates the Secret" tf apply -auto-approve -input=false -no-color
  expect_equal "$variant: the Secret holds the provider's password again" "$GIT_PASSWORD" \
    "$(kubectl -n "$namespace" get secret flux-system -o jsonpath='{.data.password}' | base64 -d)"
  expect_no_changes "$variant: after updating the Secret a plan has nothing to do"

  # A new path of a live bootstrap: the reconciler's Deployment must never go missing (watched
  # every 0.2s during the apply; its uid is the same after), and the move must not wait for the
  # GitRepository's interval (2m0s here).
  local uid watch=$scratch/watch-$namespace started moved
  uid=$(kubectl -n "$namespace" get deployment flux-reconciler -o jsonpath='{.metadata.uid}')
  (
    while [[ ! -f $watch.stop ]]; do
      kubectl -n "$namespace" get deployment flux-reconciler -o jsonpath='{.metadata.uid}{"\n"}' 2>/dev/null || echo missing
      sleep 0.2
    done
  ) >"$watch" &
  local watcher=$!
  started=$SECONDS
  expect "$variant: apply with a new path" tf apply -auto-approve -input=false -no-color -var path=clusters/moved
  moved=$((SECONDS - started))
  touch "$watch.stop"
  wait "$watcher"
  echo "ok: $variant: the move took ${moved}s ($(wc -l <"$watch") looks at the Deployment)"
  ((moved < 60)) || fail "$variant: the move took ${moved}s, not well within the interval of 2m0s"
  if grep -qv "^$uid\$" "$watch"; then
    sort "$watch" | uniq -c >&2
    fail "$variant: the reconciler's Deployment went missing or was replaced during the move"
  fi
  echo "ok: $variant: the reconciler's Deployment was there throughout the move"
  expect "$variant: the files are at the new path" ground read "$name" main "clusters/moved/$namespace/gotk-sync.yaml"
  if ground read "$name" main "clusters/test/$namespace/gotk-sync.yaml" >/dev/null 2>&1; then
    fail "$variant: the files at the old path are still in Git"
  fi
  echo "ok: $variant: the files at the old path are removed"
  expect_equal "$variant: the Kustomization builds the new path" ./clusters/moved "$(kustomization "$namespace" '{.spec.path}')"
  # The bootstrap waited until the reconciler applied the commit that removed the old files.
  expect_synced "$variant: after the move" "$namespace" "$name" main
  expect "$variant: the Deployment is in the Kustomization's inventory" bash -c \
    "kubectl -n $namespace get kustomizations.kustomize.toolkit.fluxcd.io $namespace -o jsonpath='{.status.inventory.entries[*].id}' |
     grep -qw ${namespace}_flux-reconciler_apps_Deployment"
  # The reconcile requests were handled once: the GitRepository does not change any more.
  local handled requested version
  requested=$(gitrepository "$namespace" '{.metadata.annotations.reconcile\.fluxcd\.io/requestedAt}')
  handled=$(gitrepository "$namespace" '{.status.lastHandledReconcileAt}')
  [[ -n $requested && $requested == "$handled" ]] || fail "$variant: the reconcile request '$requested' is not handled ('$handled')"
  version=$(gitrepository "$namespace" '{.metadata.resourceVersion}')
  sleep 5
  expect_equal "$variant: the GitRepository is not reconciled in a loop" "$version" "$(gitrepository "$namespace" '{.metadata.resourceVersion}')"
  expect_no_changes "$variant: after the move a plan has nothing to do" -var path=clusters/moved
  # Deleting the namespace under a running reconciler leaves it Terminating on the Flux finalizers
  # once the reconciler's own Pod is gone (as with Flux); the namespace is removed the way
  # `flux uninstall` does it: reconciler stopped, finalizers dropped.
  stop_pod_runners
  expect "$variant: the namespace is deleted behind the CLI's back" bash -c "
    kubectl -n $namespace patch kustomizations.kustomize.toolkit.fluxcd.io $namespace --type merge -p '{\"metadata\":{\"finalizers\":null}}' &&
    kubectl -n $namespace patch gitrepositories.source.toolkit.fluxcd.io $namespace --type merge -p '{\"metadata\":{\"finalizers\":null}}' &&
    kubectl delete namespace $namespace --timeout=120s"
  expect "$variant: tf destroy succeeds when the namespace is already gone" \
    tf destroy -auto-approve -input=false -no-color -var path=clusters/moved
  if ground read "$name" main "clusters/moved/$namespace/gotk-sync.yaml" >/dev/null 2>&1; then
    fail "$variant: the bootstrap files are still in Git"
  fi
  echo "ok: $variant: the bootstrap files are removed from Git"
}

# A failing apply must say why within a minute and leave Git and the cluster as they were.
# expect_clean_failure DESCRIPTION PATTERN NAMESPACE REPOSITORY
expect_clean_failure() {
  local description=$1 pattern=$2 namespace=$3 name=$4 started=$SECONDS
  expect_failure "$description: apply fails naming the cause" "$pattern" tf apply -auto-approve -input=false -no-color
  (( SECONDS - started < 60 )) || fail "$description: the failure took $((SECONDS - started))s"
  echo "ok: $description: it failed in $((SECONDS - started))s"
  if kubectl get namespace "$namespace" >/dev/null 2>&1; then fail "$description: the namespace was created"; fi
  [[ -z "$(ground read "$name" main 2>/dev/null || true)" ]] || fail "$description: something was pushed"
  if tf state list 2>/dev/null | grep -q flux_bootstrap_git; then fail "$description: the state holds the bootstrap"; fi
  echo "ok: $description: Git, the cluster and the state are as they were"
}

# Wrong Git credentials, and a Git host that does not answer.
run_failures() {
  local name namespace urls port
  name=tf-wrong-$(suffix)
  namespace=tf-wrong-$(suffix)
  namespaces+=("$namespace")
  urls=$(ground repo "$name")
  use_config bootstrap_https
  export TF_VAR_kubeconfig=$KUBECONFIG TF_VAR_namespace=$namespace TF_VAR_url
  TF_VAR_url=$(sed -n 's/^export GIT_HTTPS_URL=//p' <<<"$urls")
  export TF_VAR_username=$GIT_USERNAME TF_VAR_password=not-the-password TF_VAR_ca_file=$GIT_CA_FILE
  expect_clean_failure "wrong credentials" 'authenticat|credential|401|denied' "$namespace" "$name"

  # A port nobody listens on: bind one, note it, close it.
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  use_config bootstrap_ssh
  export TF_VAR_url=ssh://git@127.0.0.1:$port/$name.git
  export TF_VAR_private_key_file=$GIT_SSH_KEY TF_VAR_known_hosts_file=$GIT_KNOWN_HOSTS
  expect_clean_failure "unreachable Git host" "127.0.0.1:$port|connect|refused|unreachable" "$namespace" "$name"

  # A host that never answers a connection request, made locally: a listener that never accepts
  # and whose one-slot queue is already full, so the kernel drops further SYNs (no refusal); and one
  # that accepts but never speaks. Both must fail within the bootstrap's connect bound (30s), not
  # the kernel's connect timeout (minutes) or never.
  local silent_port black_hole_port helper
  black_hole_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  silent_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  python3 - "$black_hole_port" "$silent_port" <<'SERVERS' &
import socket, sys, time
black_hole = socket.socket()
black_hole.bind(("127.0.0.1", int(sys.argv[1])))
black_hole.listen(0)
fillers = []
for _ in range(3):  # fill the accept queue; never accept
    filler = socket.socket()
    filler.setblocking(False)
    try:
        filler.connect(("127.0.0.1", int(sys.argv[1])))
    except BlockingIOError:
        pass
    fillers.append(filler)
silent = socket.socket()
silent.bind(("127.0.0.1", int(sys.argv[2])))
silent.listen(8)
accepted = []
silent.settimeout(1)
deadline = time.time() + 240
while time.time() < deadline:
    try:
        accepted.append(silent.accept()[0])  # and never say a word
    except socket.timeout:
        pass
SERVERS
  helper=$!
  sleep 1
  export TF_VAR_url=ssh://git@127.0.0.1:$black_hole_port/$name.git
  expect_clean_failure "a Git host that never answers" "connection request|no answer|answer within" "$namespace" "$name"
  export TF_VAR_url=ssh://git@127.0.0.1:$silent_port/$name.git
  expect_clean_failure "a Git host that accepts but never speaks" "accepted but|sent nothing|server sent" "$namespace" "$name"
  kill "$helper" 2>/dev/null || true
  wait "$helper" 2>/dev/null || true
}

# FLUXCPP_BOOTSTRAP_RUNS picks the runs (all by default): the Terraform variant in CMake runs the
# SSH one only, to keep the suite's serial time down.
for run in ${FLUXCPP_BOOTSTRAP_RUNS:-ssh https failures}; do
  case $run in
    ssh | https) run_variant "$run" ;;
    failures) run_failures ;;
    *) fail "FLUXCPP_BOOTSTRAP_RUNS: unknown run $run (ssh, https, failures)" ;;
  esac
done
