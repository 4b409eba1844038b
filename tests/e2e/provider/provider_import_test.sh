# Import of the test resource, by an import block and by `tf import`: the framework builds the
# state from the ID, the core refreshes it, and the object then matches its configuration.
source "$(dirname "$0")/provider_env.sh"
use_config import

tf plan -input=false -no-color >"$scratch/plan.txt" 2>&1 || { cat "$scratch/plan.txt" >&2; fail "plan"; }
expect "the plan imports the object" grep -q 'flux_test_object.imported will be imported' "$scratch/plan.txt"
expect "apply imports it" tf apply -auto-approve -input=false -no-color
state() { tf show -json | jq -r ".values.root_module.resources[0].values.$1"; }
expect_equal "the imported state" "imported-name imported-name imported 3" \
  "$(state id) $(state name) $(state created_at) $(state size)"
expect_no_changes "nothing to do after the import"

# The CLI command, into a fresh state.
rm -f "$work/terraform.tfstate" "$work/terraform.tfstate.backup"
sed -i '/^import {/,/^}/d' "$work/main.tf"
expect "tf import" tf import -input=false -no-color flux_test_object.imported imported-name
expect_equal "imported by the CLI" "imported-name" "$(state id)"
