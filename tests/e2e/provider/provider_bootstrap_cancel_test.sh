# flux_bootstrap_git's long waits end when the create's timeout runs out or tofu is interrupted:
# with no pod runner, the reconciler's Deployment never becomes Available, so the bootstrap waits
# for the install set until its timeout (20s here), then fails naming the timeout; an interrupt
# (SIGINT to tofu, which sends StopProvider) ends the same wait within seconds. Neither stores the
# resource.
source "$(dirname "$0")/provider_env.sh"
require_ground

namespace=tf-cancel-$(head -c 64 /dev/urandom | tr -dc 'a-z0-9' | head -c 8)
cleanup() {
  kubectl delete namespace "$namespace" --wait=false >/dev/null 2>&1 || true
  rm -rf "$scratch"
}
trap cleanup EXIT

name=tf-cancel-$(head -c 64 /dev/urandom | tr -dc 'a-z0-9' | head -c 8)
urls=$(ground repo "$name")
use_config bootstrap_cancel
export TF_VAR_kubeconfig=$KUBECONFIG TF_VAR_namespace=$namespace TF_VAR_url
TF_VAR_url=$(sed -n 's/^export GIT_SSH_URL=//p' <<<"$urls")
export TF_VAR_private_key_file=$GIT_SSH_KEY TF_VAR_known_hosts_file=$GIT_KNOWN_HOSTS
stored() { tf show -json | jq '[.values.root_module.resources[]? | select(.type == "flux_bootstrap_git")] | length'; }

start=$SECONDS
status=0
output=$(tf apply -auto-approve -input=false -no-color -var create_timeout=20s 2>&1) || status=$?
elapsed=$((SECONDS - start))
[[ $status -ne 0 ]] || { echo "$output" >&2; fail "the bootstrap succeeded without a reconciler"; }
for text in 'The create timed out' 'within its timeout of 20s' 'timeouts.create' 'waiting for'; do
  grep -qF "$text" <<<"$(tr '\n' ' ' <<<"$output" | tr -s ' ')" || { echo "$output" >&2; fail "the error does not say '$text'"; }
done
echo "ok: the bootstrap's wait ends at the 20s create timeout with a diagnostic naming it"
[[ $elapsed -lt 60 ]] || fail "the timed-out bootstrap took ${elapsed}s"
echo "ok: within ${elapsed}s"
expect_equal "the timed-out create stores no flux_bootstrap_git" 0 "$(stored)"

# An interrupt while the bootstrap waits (tofu itself in the background, so that it gets the signal).
"$tf_binary" -chdir="$work" apply -auto-approve -input=false -no-color >"$scratch/stop.txt" 2>&1 &
cli_pid=$!
for _ in $(seq 1 150); do
  grep -q 'Creating\.\.\.' "$scratch/stop.txt" && break
  sleep 0.2
done
grep -q 'Creating\.\.\.' "$scratch/stop.txt" || { kill "$cli_pid"; cat "$scratch/stop.txt" >&2; fail "the create did not start"; }
# The checks, the push and the apply of the install set take a few seconds; then it waits.
sleep 10
start=$SECONDS
kill -INT "$cli_pid"
status=0
wait "$cli_pid" || status=$?
elapsed=$((SECONDS - start))
[[ $status -ne 0 ]] || { cat "$scratch/stop.txt" >&2; fail "the interrupted bootstrap succeeded"; }
grep -q 'The create was cancelled' "$scratch/stop.txt" || { cat "$scratch/stop.txt" >&2; fail "no cancellation diagnostic"; }
grep -q 'Cancelled\|cancelled while waiting' "$scratch/stop.txt" || { cat "$scratch/stop.txt" >&2; fail "the bootstrap error does not say it was cancelled"; }
[[ $elapsed -lt 15 ]] || fail "the interrupted bootstrap took ${elapsed}s to end"
echo "ok: an interrupt ends the bootstrap's wait within ${elapsed}s with a diagnostic"
expect_equal "the interrupted create stores no flux_bootstrap_git" 0 "$(stored)"
