# Shared set-up of the provider's CLI tests: the built provider under dev_overrides (no init
# needed), the test resource registered, nothing from the machine's own CLI configuration.
# Source it from a test script; it defines $work and tf(), which runs the CLI that
# FLUXCPP_TF_CLI names: tofu (the default; $TOFU or the peer cache) or terraform ($TERRAFORM or
# the peer cache). $registry_host is the host that CLI addresses fluxcd/flux under.
source "$(dirname "$0")/../lib/assert.sh"

provider_binary=$FLUXCPP_BINARY_DIR/bin/terraform-provider-flux
[[ -x "$provider_binary" ]] || fail "$provider_binary is not built"
tf_cli=${FLUXCPP_TF_CLI:-tofu}
case $tf_cli in
  tofu)
    tf_binary=${TOFU:-$("$FLUXCPP_SOURCE_DIR/tests/env/build-peers" --bin-dir opentofu)/tofu}
    registry_host=registry.opentofu.org
    ;;
  terraform)
    tf_binary=${TERRAFORM:-$("$FLUXCPP_SOURCE_DIR/tests/env/build-peers" --bin-dir terraform)/terraform}
    registry_host=registry.terraform.io
    ;;
  *) fail "FLUXCPP_TF_CLI=$tf_cli: expected tofu or terraform" ;;
esac
[[ -x "$tf_binary" ]] || fail "no $tf_cli at $tf_binary"

unset TF_PLUGIN_CACHE_DIR TF_LOG TF_LOG_PATH TF_DISABLE_PLUGIN_TLS
eval "$("$FLUXCPP_SOURCE_DIR/tests/env/tofu-config" dev-overrides "$provider_binary" "$scratch/tofurc")"
export TF_CLI_CONFIG_FILE TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
export FLUXCPP_PROVIDER_TEST_RESOURCES=1
echo "ok: running $("$tf_binary" version | head -n 1)"
work=$scratch/work

# tf ARGS...: the CLI in $work. A warning in its output fails the command (after printing it):
# neither CLI may warn about anything the provider sends. Allowed are the CLI's own notes about
# how it installed the provider — dev_overrides in effect (on every command), and a lock file with
# checksums for this platform only (init from the unpacked filesystem mirror) — and the warnings
# whose summary matches the extended regular expression $expected_warnings, for a caller that
# expects one from the provider. The output is passed on once the command has ended.
tf() {
  local status=0 warnings
  "$tf_binary" -chdir="$work" "$@" >"$scratch/tf.stdout" 2>"$scratch/tf.stderr" || status=$?
  cat "$scratch/tf.stdout"
  cat "$scratch/tf.stderr" >&2
  warnings=$(cat "$scratch/tf.stdout" "$scratch/tf.stderr" | grep -E '^[│ ]*Warning: ' |
    grep -v -e 'Warning: Provider development overrides are in effect' \
      -e 'Warning: Incomplete lock file information for providers' || true)
  if [[ -n "${expected_warnings:-}" ]]; then
    warnings=$(grep -v -E "Warning: ($expected_warnings)" <<<"$warnings" || true)
  fi
  if [[ -n "$warnings" ]]; then
    echo "FAIL: $tf_cli $1 warned: $warnings" >&2
    return 1
  fi
  return "$status"
}

# use_config NAME: the configuration under testdata/NAME becomes the working directory.
use_config() {
  rm -rf "$work"
  cp -r "$(dirname "$0")/testdata/$1" "$work"
}

# expect_no_changes DESCRIPTION [ARGS...]: `tf plan -detailed-exitcode` finds nothing to do.
expect_no_changes() {
  local description=$1 status=0 output
  shift
  output=$(tf plan -detailed-exitcode -input=false -no-color "$@" 2>&1) || status=$?
  if [[ $status -ne 0 ]]; then
    echo "$output" | tail -n 30 >&2
    fail "$description: plan exit status $status (0 means no changes)"
  fi
  echo "ok: $description"
}
