# The timeouts attribute bounds an operation: when it runs out the work in flight is cancelled, the
# apply fails promptly with a diagnostic naming the operation and the timeout, and the state holds
# only what finished (no object after a failed create, the prior object after a failed update).
# StopProvider (tofu's reaction to Ctrl-C) cancels the work in flight the same way.
source "$(dirname "$0")/provider_env.sh"
use_config timeouts
state() { tf show -json | jq -r ".values.root_module.resources[]? | select(.address==\"flux_test_object.main\") | .values.$1"; }
resources() { tf show -json | jq '.values.root_module.resources // [] | length'; }

# apply_timed SECONDS_VAR ARGS...: runs tofu apply, keeping its output in $output, its exit status
# in $status and how long it took in $elapsed (whole seconds).
apply_timed() {
  local start=$SECONDS
  status=0
  output=$(tf apply -auto-approve -input=false -no-color "$@" 2>&1) || status=$?
  elapsed=$((SECONDS - start))
}

apply_timed -var delay=60s -var create_timeout=2s
[[ $status -ne 0 ]] || fail "a create longer than its timeout succeeded"
grep -q 'The create timed out' <<<"$output" || { echo "$output" >&2; fail "no timeout diagnostic"; }
grep -q 'did not finish within its timeout of 2s' <<<"$output" || { echo "$output" >&2; fail "the diagnostic does not name the timeout"; }
grep -q 'timeouts.create' <<<"$output" || { echo "$output" >&2; fail "the diagnostic does not name timeouts.create"; }
echo "ok: a create past its 2s timeout fails with a diagnostic naming create and 2s"
[[ $elapsed -lt 20 ]] || fail "the timed-out create took ${elapsed}s (the delay was 60s)"
echo "ok: and promptly (${elapsed}s, not the 60s delay)"
expect_equal "a timed-out create stores no object" 0 "$(resources)"

expect "a create within its timeout" tf apply -auto-approve -input=false -no-color -var delay=1s -var create_timeout=30s
expect_equal "the object exists at revision 1" 1 "$(state revision)"
expect_no_changes "nothing to do after it" -var delay=1s -var create_timeout=30s

apply_timed -var value=two -var delay=60s -var update_timeout=1s
[[ $status -ne 0 ]] || fail "an update longer than its timeout succeeded"
grep -q 'The update timed out' <<<"$output" || { echo "$output" >&2; fail "no update timeout diagnostic"; }
grep -q 'did not finish within its timeout of 1s' <<<"$output" || { echo "$output" >&2; fail "the diagnostic does not name 1s"; }
[[ $elapsed -lt 20 ]] || fail "the timed-out update took ${elapsed}s"
echo "ok: an update past its 1s timeout fails promptly (${elapsed}s) naming update and 1s"
expect_equal "the state keeps the prior object" "one 1" "$(state value) $(state revision)"
tf plan -input=false -no-color -var value=two -var delay=60s -var update_timeout=1s >"$scratch/plan.txt" 2>&1 ||
  fail "plan after the failed update"
expect "the update is still to do" grep -q 'flux_test_object.main will be updated in-place' "$scratch/plan.txt"
expect "the update then succeeds" tf apply -auto-approve -input=false -no-color -var value=two
expect_equal "at revision 2" "two 2" "$(state value) $(state revision)"

# StopProvider: an interrupt to tofu (as Ctrl-C sends) while an update waits 120s.
# tofu itself in the background (not the tofu function, whose subshell would take the signal).
"$tf_binary" -chdir="$work" apply -auto-approve -input=false -no-color -var value=three -var delay=120s \
  >"$scratch/stop.txt" 2>&1 &
cli_pid=$!
for _ in $(seq 1 100); do
  grep -q 'Modifying\.\.\.' "$scratch/stop.txt" && break
  sleep 0.2
done
grep -q 'Modifying\.\.\.' "$scratch/stop.txt" || { kill "$cli_pid"; cat "$scratch/stop.txt" >&2; fail "the update did not start"; }
sleep 1
start=$SECONDS
kill -INT "$cli_pid"
status=0
wait "$cli_pid" || status=$?
elapsed=$((SECONDS - start))
[[ $status -ne 0 ]] || { cat "$scratch/stop.txt" >&2; fail "the interrupted apply succeeded"; }
grep -q 'The update was cancelled' "$scratch/stop.txt" || { cat "$scratch/stop.txt" >&2; fail "no cancellation diagnostic"; }
grep -q 'asked the provider to stop' "$scratch/stop.txt" || { cat "$scratch/stop.txt" >&2; fail "the diagnostic does not say why"; }
[[ $elapsed -lt 15 ]] || fail "the interrupted apply took ${elapsed}s to end"
echo "ok: an interrupt cancels the waiting update within ${elapsed}s with a diagnostic"
expect_equal "the state keeps the object before the interrupted update" "two 2" "$(state value) $(state revision)"
expect "destroy" tf destroy -auto-approve -input=false -no-color
