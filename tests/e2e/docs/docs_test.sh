# The documentation says only what parses and resolves: HCL snippets in docs/, modules/ and
# examples/ are `tofu fmt`-clean (whole configurations also `tofu validate` with the built
# provider), shell snippets pass `bash -n`, relative links resolve, and module READMEs list every
# variable and output. Needs tofu ($TOFU or the peer cache) and the built provider; no ground.
source "$(dirname "$0")/../lib/assert.sh"

provider_binary=$FLUXCPP_BINARY_DIR/bin/terraform-provider-flux
[[ -x "$provider_binary" ]] || fail "$provider_binary is not built"
TOFU=${TOFU:-$("$FLUXCPP_SOURCE_DIR/tests/env/build-peers" --bin-dir opentofu)/tofu}
[[ -x "$TOFU" ]] || fail "no tofu at $TOFU"
unset TF_PLUGIN_CACHE_DIR TF_LOG TF_LOG_PATH TF_CLI_ARGS
eval "$("$FLUXCPP_SOURCE_DIR/tests/env/tofu-config" mirror "$provider_binary" 0.1.0 "$scratch/mirror" "$scratch/tofurc")"
export TF_CLI_CONFIG_FILE TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
python3 "$(dirname "$0")/check_docs.py" "$FLUXCPP_SOURCE_DIR" "$TOFU" "$scratch/snippets"
