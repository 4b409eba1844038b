# Two whole test grounds start side by side (no fixed ports), each serves its own peers, and stopping them
# leaves no process behind.
source "$(dirname "$0")/../lib/assert.sh"
grounds=()
trap 'for dir in "${grounds[@]}"; do "$FLUXCPP_SOURCE_DIR/tests/env/ground" down "$dir" >/dev/null 2>&1 || true; done; rm -rf "$scratch"' EXIT

ground up >"$scratch/first.env" 2>"$scratch/first.log" &
first=$!
ground up >"$scratch/second.env" 2>"$scratch/second.log" &
second=$!
wait "$first" || { cat "$scratch/first.log" >&2; fail "the first ground did not start"; }
wait "$second" || { cat "$scratch/second.log" >&2; fail "the second ground did not start"; }
echo "ok: two grounds started in parallel"

value() { sed -n "s/^export $2=//p" "$scratch/$1.env"; }
grounds=("$(value first FLUXCPP_GROUND)" "$(value second FLUXCPP_GROUND)")
[[ "$(value first KUBECONFIG)" != "$(value second KUBECONFIG)" ]] || fail "both grounds share one kubeconfig"
server() { grep -m1 'server:' "$(value "$1" KUBECONFIG)" | awk '{print $2}'; }
[[ "$(server first)" != "$(server second)" ]] || fail "both API servers have one address"
[[ "$(value first GIT_SSH_URL)" != "$(value second GIT_SSH_URL)" ]] || fail "both Git servers have one address"
echo "ok: the grounds have distinct addresses"

for run in first second; do
  (
    eval "$(cat "$scratch/$run.env")"
    expect "$run ground: its API server answers" kubectl get namespace default
    expect "$run ground: a ConfigMap written there stays there" kubectl create configmap "only-in-$run"
    expect "$run ground: its Git server answers" env GIT_CONFIG_GLOBAL=/dev/null git ls-remote "$GIT_HTTP_URL"
  )
done
(eval "$(cat "$scratch/first.env")" && expect_failure "the grounds do not share state" "not ?found" kubectl get configmap only-in-second)

for dir in "${grounds[@]}"; do
  expect "ground down $dir" ground down "$dir"
  expect_equal "no process of $dir is left" "" "$(pgrep -af "$dir/" || true)"
  [[ ! -e "$dir" ]] || fail "$dir still exists after ground down"
done
grounds=()
