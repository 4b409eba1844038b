# A sensitive attribute is redacted wherever OpenTofu prints it (plan, apply, state show), even
# when the variable it comes from is not marked sensitive: the schema marks it.
source "$(dirname "$0")/provider_env.sh"
use_config object
secret=hunter2-do-not-print

tofu plan -input=false -no-color >"$scratch/plan.txt" 2>&1 || fail "tofu plan"
expect "the plan shows the secret as (sensitive value)" grep -q 'secret *= (sensitive value)' "$scratch/plan.txt"
expect_equal "the plan never prints the secret" "" "$(grep "$secret" "$scratch/plan.txt" || true)"

tofu apply -auto-approve -input=false -no-color >"$scratch/apply.txt" 2>&1 || fail "tofu apply"
expect_equal "the apply never prints the secret" "" "$(grep "$secret" "$scratch/apply.txt" || true)"
tofu state show -no-color flux_test_object.main >"$scratch/show.txt"
expect_equal "state show redacts it" "" "$(grep "$secret" "$scratch/show.txt" || true)"

tofu plan -input=false -no-color -var secret=another-secret-value >"$scratch/update.txt" 2>&1 || fail "plan of a new secret"
expect "a changed secret is an update" grep -q 'flux_test_object.main will be updated in-place' "$scratch/update.txt"
expect_equal "the update plan prints neither secret" "" \
  "$(grep -E "$secret|another-secret-value" "$scratch/update.txt" || true)"
expect "destroy" tofu destroy -auto-approve -input=false -no-color
