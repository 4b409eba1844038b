# Shared set-up of the provider's tofu tests: the built provider under dev_overrides (no init
# needed), the test resource registered, nothing from the machine's own CLI configuration.
# Source it from a test script; it defines $work and tofu(). Needs only tofu ($TOFU or the peer
# cache).
source "$(dirname "$0")/../lib/assert.sh"

provider_binary=$FLUXCPP_BINARY_DIR/bin/terraform-provider-flux
[[ -x "$provider_binary" ]] || fail "$provider_binary is not built"
TOFU=${TOFU:-$("$FLUXCPP_SOURCE_DIR/tests/env/build-peers" --bin-dir opentofu)/tofu}
[[ -x "$TOFU" ]] || fail "no tofu at $TOFU"

unset TF_PLUGIN_CACHE_DIR TF_LOG TF_LOG_PATH TF_DISABLE_PLUGIN_TLS
eval "$("$FLUXCPP_SOURCE_DIR/tests/env/tofu-config" dev-overrides "$provider_binary" "$scratch/tofurc")"
export TF_CLI_CONFIG_FILE TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
export FLUXCPP_PROVIDER_TEST_RESOURCES=1
work=$scratch/work
tofu() { "$TOFU" -chdir="$work" "$@"; }

# use_config NAME: the configuration under testdata/NAME becomes the working directory.
use_config() {
  rm -rf "$work"
  cp -r "$(dirname "$0")/testdata/$1" "$work"
}

# expect_no_changes DESCRIPTION [ARGS...]: `tofu plan -detailed-exitcode` finds nothing to do.
expect_no_changes() {
  local description=$1 status=0 output
  shift
  output=$(tofu plan -detailed-exitcode -input=false -no-color "$@" 2>&1) || status=$?
  if [[ $status -ne 0 ]]; then
    echo "$output" | tail -n 30 >&2
    fail "$description: plan exit status $status (0 means no changes)"
  fi
  echo "ok: $description"
}
