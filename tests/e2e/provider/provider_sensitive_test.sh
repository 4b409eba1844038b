# A sensitive attribute is redacted wherever the CLI prints it (plan, apply, state show), even
# when the variable it comes from is not marked sensitive: the schema marks it.
source "$(dirname "$0")/provider_env.sh"
use_config object
secret=hunter2-do-not-print

tf plan -input=false -no-color >"$scratch/plan.txt" 2>&1 || fail "tf plan"
expect "the plan shows the secret as (sensitive value)" grep -q 'secret *= (sensitive value)' "$scratch/plan.txt"
expect_equal "the plan never prints the secret" "" "$(grep "$secret" "$scratch/plan.txt" || true)"

tf apply -auto-approve -input=false -no-color >"$scratch/apply.txt" 2>&1 || fail "tf apply"
expect_equal "the apply never prints the secret" "" "$(grep "$secret" "$scratch/apply.txt" || true)"
tf state show -no-color flux_test_object.main >"$scratch/show.txt"
expect_equal "state show redacts it" "" "$(grep "$secret" "$scratch/show.txt" || true)"

tf plan -input=false -no-color -var secret=another-secret-value >"$scratch/update.txt" 2>&1 || fail "plan of a new secret"
expect "a changed secret is an update" grep -q 'flux_test_object.main will be updated in-place' "$scratch/update.txt"
expect_equal "the update plan prints neither secret" "" \
  "$(grep -E "$secret|another-secret-value" "$scratch/update.txt" || true)"
expect "destroy" tf destroy -auto-approve -input=false -no-color
