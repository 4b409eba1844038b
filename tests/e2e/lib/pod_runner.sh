# The pod runner (tests/env/pod_runner) for shell tests: the real flux-reconciler runs for the Pods of
# the namespaces a test bootstraps, as in a cluster. Source after assert.sh. Each test runs its own
# runner with its own state folder, limited to one namespace, so tests running side by side on one
# ground never run each other's Pods.

pod_runner_pids=()

# start_pod_runner NAMESPACE: runs build/bin/flux-reconciler for the Pods of NAMESPACE until
# stop_pod_runners; waits until the runner has listed the Pods once. Its log and the processes' logs
# are under $scratch/pod-runner-NAMESPACE.
start_pod_runner() {
  local namespace=$1 state=$scratch/pod-runner-$1 runner=$FLUXCPP_BINARY_DIR/tests/pod_runner
  local reconciler=$FLUXCPP_BINARY_DIR/bin/flux-reconciler
  [[ -x "$runner" && -x "$reconciler" ]] || fail "$runner or $reconciler is not built"
  mkdir -p "$state"
  rm -f "$state/ready"
  "$runner" --image "flux-reconciler=$reconciler" --state-dir "$state" --namespace "$namespace" \
    >"$state.log" 2>&1 &
  pod_runner_pids+=($!)
  local deadline=$((SECONDS + 30))
  until [[ -f "$state/ready" ]]; do
    kill -0 "${pod_runner_pids[-1]}" 2>/dev/null || { tail -n 20 "$state.log" >&2; fail "the pod runner for $namespace stopped"; }
    ((SECONDS < deadline)) || fail "the pod runner for $namespace is not ready after 30s"
    sleep 0.1
  done
}

# stop_pod_runners: SIGTERM to every runner (each stops its processes within their grace period),
# then waits for them.
stop_pod_runners() {
  local pid
  for pid in "${pod_runner_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pod_runner_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pod_runner_pids=()
}

# reconciler_logs NAMESPACE: the logs of the reconciler processes run for NAMESPACE, for failures.
reconciler_logs() {
  find "$scratch/pod-runner-$1" -name '*.log' -exec tail -n 20 {} + 2>/dev/null || true
}
