# The quick start end to end, as `make demo` runs it (tools/demo, with the build already there): a
# ground of its own, the pod runner running the real flux-reconciler, `tofu apply` of
# examples/quickstart, the example app pushed and deployed from Git. Then: a second run replaces the
# first (a second `make demo` works), a plan of the example has nothing to do, `tofu destroy` removes
# Flux and its files in Git, and `tools/demo down` leaves no process behind. Needs only what
# `ground up` needs, the built provider, flux-reconciler and pod_runner; the ground of the caller is
# not used.
source "$(dirname "$0")/../lib/assert.sh"

for binary in bin/terraform-provider-flux bin/flux-reconciler tests/pod_runner; do
  [[ -x "$FLUXCPP_BINARY_DIR/$binary" ]] || fail "$FLUXCPP_BINARY_DIR/$binary is not built"
done
export FLUXCPP_DEMO_DIR=$scratch/demo FLUXCPP_DEMO_BUILD=0
demo() { "$FLUXCPP_SOURCE_DIR/tools/demo" "$@"; }
trap 'demo down >/dev/null 2>&1 || true; rm -rf "$scratch"' EXIT

# run_demo ORDINAL: tools/demo up succeeds and says how to look around and tear down.
run_demo() {
  local output started=$SECONDS
  if ! output=$(demo up 2>"$scratch/demo-$1.log"); then
    tail -n 40 "$scratch/demo-$1.log" >&2
    fail "the $1 run of tools/demo failed"
  fi
  echo "ok: the $1 run of tools/demo finished in $((SECONDS - started))s"
  grep -q 'make demo-down' <<<"$output" || fail "the $1 run does not say how to tear down"
  grep -q 'tools/demo env' <<<"$output" || fail "the $1 run does not say where to look"
}

# The state a finished demo must leave: Flux bootstrapped and in charge, the app deployed from Git.
check_demo() {
  local ordinal=$1
  eval "$(demo env)"
  expect_equal "$ordinal: the flux-system Kustomization is Ready" True \
    "$(kubectl -n flux-system get kustomizations.kustomize.toolkit.fluxcd.io flux-system \
      -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')"
  expect_equal "$ordinal: the reconciler's Deployment is available" 1 \
    "$(kubectl -n flux-system get deployment flux-reconciler -o jsonpath='{.status.availableReplicas}')"
  # The pod runner ran the real binary for the reconciler's Pod (its log is in the pod runner's state).
  compgen -G "$FLUXCPP_GROUND/pod-runner/pods/*" >/dev/null || fail "$ordinal: the pod runner ran no pod"
  echo "ok: $ordinal: the pod runner runs flux-reconciler"
  local head applied
  head=$(git --git-dir "$FLUXCPP_GROUND/git/repos/fleet.git" rev-parse main)
  applied=$(kubectl -n flux-system get kustomizations.kustomize.toolkit.fluxcd.io apps -o jsonpath='{.status.lastAppliedRevision}')
  [[ $applied == *"$head"* ]] || fail "$ordinal: the apps Kustomization applied '$applied', not Git's head $head"
  echo "ok: $ordinal: the apps Kustomization applied Git's head"
  expect_equal "$ordinal: podinfo is available" 2 \
    "$(kubectl -n podinfo get deployment podinfo -o jsonpath='{.status.availableReplicas}')"
  expect "$ordinal: podinfo's Service is there" kubectl -n podinfo get service podinfo
  expect_equal "$ordinal: the objects carry the Kustomization's labels" apps \
    "$(kubectl -n podinfo get deployment podinfo -o jsonpath='{.metadata.labels.kustomize\.toolkit\.fluxcd\.io/name}')"
  expect "$ordinal: flux get kustomizations lists both" bash -c \
    "flux get kustomizations -A | grep -q '^flux-system[[:space:]]*apps' && flux get kustomizations -A | grep -q '^flux-system[[:space:]]*flux-system'"
}

run_demo first
check_demo first
first_ground=$FLUXCPP_GROUND

run_demo second
check_demo second
[[ $FLUXCPP_GROUND != "$first_ground" ]] || fail "the second run reused the first ground's folder"
[[ ! -e $first_ground ]] || fail "the first ground's folder $first_ground is still there"
if pgrep -f "$first_ground/" >/dev/null; then fail "processes of the first ground still run"; fi
echo "ok: the second run tore the first ground down"

export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
status=0
output=$("$TOFU" -chdir="$FLUXCPP_DEMO_DIR/tofu" plan -detailed-exitcode -input=false -no-color 2>&1) || status=$?
[[ $status -eq 0 ]] || { echo "$output" | tail -n 30 >&2; fail "a plan after the demo has changes (exit $status)"; }
echo "ok: a plan of examples/quickstart after the demo has nothing to do"

expect "tofu destroy of examples/quickstart" "$TOFU" -chdir="$FLUXCPP_DEMO_DIR/tofu" destroy -auto-approve -input=false -no-color
if kubectl get namespace flux-system >/dev/null 2>&1; then fail "the flux-system namespace is still there"; fi
echo "ok: the flux-system namespace is gone"
files=$(ground read fleet main)
grep -q 'clusters/demo/flux-system' <<<"$files" && fail "Flux's files are still in Git: $files"
grep -q 'apps/podinfo/deployment.yaml' <<<"$files" || fail "destroy removed more than Flux's files from Git: $files"
echo "ok: destroy removed Flux's files from Git and kept the app's"

ground_dir=$FLUXCPP_GROUND
expect "tools/demo down" demo down
[[ ! -e $ground_dir ]] || fail "the ground's folder $ground_dir is still there"
if pgrep -f "$ground_dir/" >/dev/null; then fail "processes of the ground still run"; fi
[[ ! -e $FLUXCPP_DEMO_DIR ]] || fail "the demo's state $FLUXCPP_DEMO_DIR is still there"
echo "ok: tools/demo down stops everything and removes the state"
