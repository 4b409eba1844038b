# Shared set-up of the module and example tests: the built provider installed by `tofu init` from a
# filesystem mirror (as from a registry), tofu with nothing from the machine's CLI configuration,
# and the real flux-reconciler run for the Pods of the bootstrapped Deployments (the bootstrap
# waits until the cluster applied its commit). Source it from a test script after assert.sh's
# require_ground; it defines tofu_in(), use_folder() and write_credentials().
source "$(dirname "${BASH_SOURCE[0]}")/../lib/assert.sh"
require_ground

provider_binary=$FLUXCPP_BINARY_DIR/bin/terraform-provider-flux
[[ -x "$provider_binary" ]] || fail "$provider_binary is not built"
reconciler_binary=$FLUXCPP_BINARY_DIR/bin/flux-reconciler
[[ -x "$reconciler_binary" ]] || fail "$reconciler_binary is not built"

# The CLI: tofu, or terraform when FLUXCPP_TF_CLI=terraform (from $TERRAFORM or the peer cache).
tf_cli=${FLUXCPP_TF_CLI:-tofu}
if [[ $tf_cli == terraform ]]; then
  tf_binary=${TERRAFORM:-$("$FLUXCPP_SOURCE_DIR/tests/env/build-peers" --bin-dir terraform)/terraform}
else
  tf_binary=$TOFU
fi
[[ -x "$tf_binary" ]] || fail "no CLI at $tf_binary"

unset TF_PLUGIN_CACHE_DIR TF_LOG TF_LOG_PATH TF_DISABLE_PLUGIN_TLS TF_CLI_ARGS
eval "$("$FLUXCPP_SOURCE_DIR/tests/env/tofu-config" mirror "$provider_binary" 0.1.0 "$scratch/mirror" "$scratch/tofurc")"
export TF_CLI_CONFIG_FILE TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1

# The pod runner is one per ground: start it unless a caller already did, and stop only our own.
started_pod_runner=false
if [[ ! -f "$FLUXCPP_GROUND/pids/pod-runner" ]]; then
  ground run-pods --image "flux-reconciler=$reconciler_binary" >/dev/null 2>&1 || fail "ground run-pods failed"
  started_pod_runner=true
fi
namespaces=()
cleanup() {
  local namespace
  for namespace in "${namespaces[@]}"; do kubectl delete namespace "$namespace" --wait=false >/dev/null 2>&1 || true; done
  if $started_pod_runner; then ground stop-pods >/dev/null 2>&1 || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT

random_suffix() { head -c 64 /dev/urandom | tr -dc 'a-z0-9' | head -c 6; }

# tofu_in FOLDER ARGS...: the CLI (tofu or terraform) with FOLDER as working directory.
tofu_in() {
  local folder=$1
  shift
  "$tf_binary" -chdir="$folder" "$@"
}

# use_folder RELATIVE NAME [INIT ARGS...]: a copy of the repository's folder RELATIVE (a module or an
# example) with modules/ beside it as in the repository, so relative module sources resolve, under
# the scratch folder; `tofu init` done; prints the copy's path. Copied so no .terraform or state
# lands in the source tree.
use_folder() {
  local relative=$1 tree=$scratch/$2
  shift 2
  rm -rf "$tree"
  mkdir -p "$tree/$(dirname "$relative")"
  cp -r "$FLUXCPP_SOURCE_DIR/modules" "$tree/modules"
  [[ -d "$tree/$relative" ]] || cp -r "$FLUXCPP_SOURCE_DIR/$relative" "$tree/$relative"
  find "$tree" \( -name .terraform -o -name '.terraform.lock.hcl' -o -name 'terraform.tfstate*' \) -prune -exec rm -rf {} +
  "$tf_binary" -chdir="$tree/$relative" init -input=false -no-color "$@" >"$tree.init.log" 2>&1 || {
    tail -n 20 "$tree.init.log" >&2
    fail "tofu init in a copy of $relative"
  }
  echo "$tree/$relative"
}

# heredoc_value NAME FILE: an HCL attribute NAME whose value is FILE's content, for .tfvars files
# (which take no function calls).
heredoc_value() {
  printf '%s = <<-EOT\n%s\nEOT\n' "$1" "$(cat "$2")"
}

# ssh_credentials_tfvars VARIABLE: the ground's SSH key and known_hosts as an object variable.
ssh_credentials_tfvars() {
  echo "$1 = {"
  heredoc_value private_key "$GIT_SSH_KEY"
  heredoc_value known_hosts "$GIT_KNOWN_HOSTS"
  echo "}"
}

# https_credentials_tfvars VARIABLE: the ground's HTTPS user, password and CA as an object variable.
https_credentials_tfvars() {
  echo "$1 = {"
  echo "username = \"$GIT_USERNAME\""
  echo "password = \"$GIT_PASSWORD\""
  heredoc_value certificate_authority "$GIT_CA_FILE"
  echo "}"
}

# new_repository NAME SCHEME: a new repository on the ground's Git server; prints its SCHEME URL
# (SSH or HTTPS).
new_repository() {
  ground repo "$1" | sed -n "s/^export GIT_$2_URL=//p"
}

# expect_ready NAMESPACE KIND NAME: the Flux object's Ready condition is True.
expect_ready() {
  expect_equal "$2 $1/$3 is Ready" True \
    "$(kubectl -n "$1" get "$2" "$3" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')"
}

# wait_ready NAMESPACE KIND NAME SECONDS: waits until the Flux object is Ready, failing with its
# conditions when it is not in time.
wait_ready() {
  local namespace=$1 kind=$2 name=$3 seconds=$4 status=""
  local deadline=$((SECONDS + seconds))
  while ((SECONDS < deadline)); do
    status=$(kubectl -n "$namespace" get "$kind" "$name" \
      -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null || true)
    if [[ $status == True ]]; then
      echo "ok: $kind $namespace/$name is Ready"
      return 0
    fi
    sleep 1
  done
  kubectl -n "$namespace" get "$kind" "$name" -o jsonpath='{.status.conditions}' >&2 || true
  fail "$kind $namespace/$name is not Ready after ${seconds}s"
}

# require_namespace_free NAME: the namespace does not exist, waiting up to a minute for one that an
# earlier test is still deleting.
require_namespace_free() {
  local namespace=$1 deadline=$((SECONDS + 60))
  while kubectl get namespace "$namespace" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "namespace $namespace exists on this ground (phase $(kubectl get namespace "$namespace" -o jsonpath='{.status.phase}'))"
    sleep 1
  done
}
