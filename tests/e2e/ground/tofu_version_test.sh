# OpenTofu runs from the cache of built peers at its pinned release.
source "$(dirname "$0")/../lib/assert.sh"
require_ground
# The machine's own CLI configuration (TF_CLI_CONFIG_FILE, ~/.terraformrc) stays out of the test.
: >"$scratch/empty.tfrc"
export TF_CLI_CONFIG_FILE=$scratch/empty.tfrc
pinned=$(awk '$1 == "github.com/opentofu/opentofu" { print $2 }' "$FLUXCPP_SOURCE_DIR/tests/env/peers/opentofu/go.mod")
expect_equal "tofu reports the pinned release" "OpenTofu $pinned" "$("$TOFU" version | head -n 1)"
expect_equal "tofu comes from the peer cache, not the repository" "" "$(echo "$TOFU" | grep "^$FLUXCPP_SOURCE_DIR" || true)"
