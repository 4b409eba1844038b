# Sets of nested objects: validators run on each element and the error names the element by its
# value (the wire path ends at the set, so OpenTofu quotes the set's line and the message spells
# the element; sensitive attributes are hidden); computed attributes of elements are kept when
# nothing changed (elements correlated with the prior ones by value), so a second plan is empty;
# changing one element is an in-place update that applies consistently.
source "$(dirname "$0")/provider_env.sh"
use_config sets

expect "the configuration validates" tf validate -no-color
plan() { tf plan -input=false -no-color "$@"; }
# expect_plan_error DESCRIPTION TEXT ARGS...: the plan fails, and its output (lines joined, as
# OpenTofu wraps long messages) holds TEXT.
expect_plan_error() {
  local description=$1 text=$2 output
  shift 2
  if output=$(plan "$@" 2>&1); then fail "$description: the plan succeeded"; fi
  grep -qF -- "$text" <<<"$(tr '\n' ' ' <<<"$output" | tr -s ' ')" || {
    echo "$output" | tail -n 20 >&2
    fail "$description: the error does not say '$text'"
  }
  echo "ok: $description"
}
expect_plan_error "a bad port in a set element is refused naming the element by its value" \
  'At .rules[{name = "dns", port = 70000, protocol = "udp"}].port.' -var dns_port=70000
expect_failure "and OpenTofu quotes the set's line" 'rules = \[' plan -var dns_port=70000
expect_plan_error "an element's sensitive attribute is hidden in its name" \
  'At .rules[{name = "web", port = 0, token = (sensitive value)}].port.' -var web_port=0
output=$(plan -var web_port=0 2>&1 || true)
grep -q 'hunter2' <<<"$output" && fail "a sensitive attribute of an element was printed"
echo "ok: the secret itself is not printed"
expect_plan_error "a bad key in a set block is refused naming the block element" \
  'At .tag[{key = "Team", value = "platform"}].key.' -var tag_key=Team
cat >"$work/extra.tf" <<'HCL'
resource "flux_test_object" "read_only" {
  name  = "read-only"
  rules = [{ name = "web", rule_id = "mine" }]
}
HCL
expect_failure "a computed-only attribute of an element cannot be set (validate)" \
  'Invalid configuration for read-only attribute' tf validate -no-color
rm "$work/extra.tf"

expect "apply" tf apply -auto-approve -input=false -no-color
expect_equal "each element got its computed id" '["dns/udp/53","web/tcp/80"]' "$(tf output -json rule_ids | jq -c .)"
expect_no_changes "a second plan has nothing to do (elements matched by value)"

tf plan -input=false -no-color -var dns_port=5353 >"$scratch/update.txt" 2>&1 || fail "plan of the update"
expect "one changed element is an in-place update" grep -q 'flux_test_object.main will be updated in-place' "$scratch/update.txt"
expect "apply the changed element" tf apply -auto-approve -input=false -no-color -var dns_port=5353
expect_equal "its id follows" '["dns/udp/5353","web/tcp/80"]' "$(tf output -json rule_ids | jq -c .)"
expect_no_changes "nothing to do after it" -var dns_port=5353
expect "destroy" tf destroy -auto-approve -input=false -no-color -var dns_port=5353
