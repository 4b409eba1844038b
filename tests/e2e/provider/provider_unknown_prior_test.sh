# An unknown configuration value that, during apply, turns out equal to the prior value: planned
# as an update (the value may change), planned again during apply with the value known as a no-op,
# so tofu skips the apply: no "inconsistent result", nothing recomputed, and the next plan is
# empty. For a requires-replace attribute the unknown value plans a replacement (it may differ),
# which the apply carries out consistently.
source "$(dirname "$0")/provider_env.sh"
use_config unknown_prior

expect "first apply" tf apply -auto-approve -input=false -no-color
before=$(tf output -json main)
expect_equal "revision 1 after create" 1 "$(jq -r .revision <<<"$before")"
expect_equal "rule ids computed per set element" '["same/tcp/443","web/tcp/80"]' "$(jq -c .rule_ids <<<"$before")"
expect_no_changes "nothing to do after it"

expect "plan with the source replaced" tf plan -input=false -no-color -var round=2 -out="$scratch/plan"
tf show -json "$scratch/plan" >"$scratch/plan.json"
change() { jq -c ".resource_changes[] | select(.address==\"$1\") | .change.$2" "$scratch/plan.json"; }
expect_equal "the object is planned as an in-place update" '["update"]' "$(change flux_test_object.main actions)"
expect_equal "its value is unknown in the plan" true "$(change flux_test_object.main after_unknown.value)"
expect_equal "so is its digest" true "$(change flux_test_object.main after_unknown.digest)"
expect_equal "created_at keeps the state" "$(jq -c .created_at <<<"$before")" "$(change flux_test_object.main after.created_at)"
expect_equal "the renamed object is planned for replacement" '["delete","create"]' "$(change flux_test_object.named actions)"

status=0
output=$(tf apply -input=false -no-color "$scratch/plan" 2>&1) || status=$?
if [[ $status -ne 0 ]] || grep -qi 'inconsistent\|invalid' <<<"$output"; then
  echo "$output" >&2
  fail "the apply of the saved plan failed or was inconsistent"
fi
echo "ok: the saved plan applies with no inconsistent result"
after=$(tf output -json main)
expect_equal "the object was not updated: the values turned out unchanged" "$before" "$after"
expect_equal "the replaced object is new" 1 "$(tf show -json | jq '[.values.root_module.resources[] | select(.address=="flux_test_object.named")] | length')"
expect_no_changes "a plan after the apply has nothing to do" -var round=2
expect "destroy" tf destroy -auto-approve -input=false -no-color -var round=2
