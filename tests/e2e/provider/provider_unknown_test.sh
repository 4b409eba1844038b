# An unknown value from another resource flows through plan into apply: flux_sync is read during
# apply, the test resource plans `value` and its derived `digest` as unknown, and the apply
# resolves both; then there is nothing left to do.
source "$(dirname "$0")/provider_env.sh"
use_config unknown

expect "tf plan" tf plan -input=false -no-color -out="$scratch/plan"
tf show -no-color "$scratch/plan" >"$scratch/plan.txt"
expect "flux_sync is read during apply" grep -q 'data.flux_sync.main will be read during apply' "$scratch/plan.txt"
tf show -json "$scratch/plan" >"$scratch/plan.json"
expect_equal "the planned url is unknown" true \
  "$(jq '.resource_changes[] | select(.address=="data.flux_sync.main") | .change.after_unknown.url' "$scratch/plan.json")"
expect_equal "the test object's value and digest are unknown in the plan" "true true" \
  "$(jq -r '.resource_changes[] | select(.address=="flux_test_object.main") | .change.after_unknown | "\(.value) \(.digest)"' "$scratch/plan.json")"
expect_equal "the test object's name is known in the plan" '"unknown"' \
  "$(jq -c '.resource_changes[] | select(.address=="flux_test_object.main") | .change.after.name' "$scratch/plan.json")"

expect "tf apply of the saved plan" tf apply -input=false -no-color "$scratch/plan"
expect "the sync content has the url learned during apply" \
  grep -q 'url: ssh://git@example.com/fleet.git' <(tf output -raw sync)
expect_equal "the test object got the value learned during apply" "ssh://git@example.com/fleet.git" \
  "$(tf output -raw value)"
expect_equal "and its digest" 16 "$(tf output -raw digest | wc -c)"
expect_no_changes "a plan after the apply has nothing to do"
expect "destroy" tf destroy -auto-approve -input=false -no-color
