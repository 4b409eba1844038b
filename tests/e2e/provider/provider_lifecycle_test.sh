# The framework's plan and apply rules through a resource's life: apply twice is a no-op; an
# update keeps computed values that use the state for unknown (id, created_at) and recomputes the
# others (digest, revision); a requires-replace attribute forces replacement; destroy empties the
# state.
source "$(dirname "$0")/provider_env.sh"
use_config object
state() { tf show -json | jq -r ".values.root_module.resources[] | select(.address==\"flux_test_object.main\") | .values.$1"; }

expect "create" tf apply -auto-approve -input=false -no-color
expect_equal "id is the name" first "$(state id)"
expect_equal "revision 1 after create" 1 "$(state revision)"
expect_equal "size takes its default" 3 "$(state size)"
expect_equal "a default inside a nested attribute" fast "$(state settings.mode)"
created_at=$(state created_at)
digest=$(state digest)
expect_no_changes "a second plan has nothing to do"
expect "a second apply" tf apply -auto-approve -input=false -no-color
expect_equal "the second apply changed nothing" 1 "$(state revision)"

tf plan -input=false -no-color -var value=two >"$scratch/update.txt" 2>&1 || fail "plan of the update"
expect "a new value is an in-place update" grep -q 'flux_test_object.main will be updated in-place' "$scratch/update.txt"
expect "digest is recomputed" grep -Eq 'digest += "[0-9a-f]+" -> \(known after apply\)' "$scratch/update.txt"
expect_equal "id and created_at are not shown as changing" "" \
  "$(grep -E '(id|created_at) += .*->' "$scratch/update.txt" || true)"
expect "update" tf apply -auto-approve -input=false -no-color -var value=two
expect_equal "revision 2 after the update" 2 "$(state revision)"
expect_equal "created_at kept across the update" "$created_at" "$(state created_at)"
[[ "$(state digest)" != "$digest" ]] || fail "the digest did not change with the value"
echo "ok: the digest changed with the value"
expect_no_changes "nothing to do after the update" -var value=two

tf plan -input=false -no-color -var value=two -var name=second >"$scratch/replace.txt" 2>&1 || fail "plan of the rename"
expect "a new name replaces the object" grep -q 'flux_test_object.main must be replaced' "$scratch/replace.txt"
expect "the plan says name forces it" grep -q 'name .*# forces replacement' "$scratch/replace.txt"
expect "replace" tf apply -auto-approve -input=false -no-color -var value=two -var name=second
expect_equal "the replacement is a new object" "second 1" "$(state id) $(state revision)"

expect "destroy" tf destroy -auto-approve -input=false -no-color -var value=two -var name=second
expect_equal "destroy leaves no resources" 0 "$(tf show -json | jq '.values.root_module.resources // [] | length')"
