# examples/ and modules/ under a real Terraform, as a user of Terraform would start: `terraform init`
# installs the built provider from a filesystem mirror and `terraform validate` accepts each
# configuration, with no warning. Not modules/fleet and examples/multi-cluster, which configure a
# provider per cluster with for_each on the provider block: OpenTofu's (since 1.9), which Terraform
# refuses, as checked here. Needs no ground: the CLI comes from $TERRAFORM or the peer cache.
source "$(dirname "$0")/../lib/assert.sh"

provider_binary=$FLUXCPP_BINARY_DIR/bin/terraform-provider-flux
[[ -x "$provider_binary" ]] || fail "$provider_binary is not built"
TERRAFORM=${TERRAFORM:-$("$FLUXCPP_SOURCE_DIR/tests/env/build-peers" --bin-dir terraform)/terraform}
[[ -x "$TERRAFORM" ]] || fail "no terraform at $TERRAFORM"
unset TF_PLUGIN_CACHE_DIR TF_LOG TF_LOG_PATH TF_DISABLE_PLUGIN_TLS TF_CLI_ARGS
eval "$("$FLUXCPP_SOURCE_DIR/tests/env/tofu-config" mirror "$provider_binary" 0.1.0 "$scratch/mirror" "$scratch/tofurc")"
export TF_CLI_CONFIG_FILE TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1

# The examples reach the modules by relative paths: both folders, without anything a local run left.
tree=$scratch/tree
mkdir -p "$tree"
cp -r "$FLUXCPP_SOURCE_DIR/examples" "$FLUXCPP_SOURCE_DIR/modules" "$tree/"
find "$tree" \( -name .terraform -o -name .terraform.lock.hcl -o -name '*.tfstate*' \) -prune -exec rm -rf {} +

# terraform_in FOLDER ARGS...: Terraform in FOLDER; its output, and a failure when it warned about
# anything but the lock file's checksums being for this platform only (a mirror install).
terraform_in() {
  local folder=$1 status=0 output
  shift
  output=$("$TERRAFORM" -chdir="$tree/$folder" "$@" 2>&1) || status=$?
  echo "$output"
  if grep -E '^[│ ]*Warning: ' <<<"$output" | grep -qv 'Warning: Incomplete lock file information for providers'; then
    echo "terraform warned" >&2
    return 1
  fi
  return "$status"
}

for folder in examples/https-token examples/monorepo examples/quickstart examples/sops examples/ssh-deploy-key \
  modules/bootstrap-git; do
  expect "$folder: terraform init" terraform_in "$folder" init -backend=false -input=false -no-color
  expect "$folder: terraform validate" terraform_in "$folder" validate -no-color
done

expect_failure "modules/fleet: Terraform refuses for_each on a provider block" 'Reserved argument name in provider block' \
  terraform_in modules/fleet init -backend=false -input=false -no-color
