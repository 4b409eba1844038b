# `ground run-pods` runs a binary for the Pods kwok marks Running, as their ServiceAccount, until
# `ground stop-pods`; and `ground up` put Flux's own CLI on PATH. Needs the pod_runner and
# stand_in_pod targets built.
source "$(dirname "$0")/../lib/assert.sh"
require_ground
namespace=ground-run-pods-$RANDOM
# Outside /tmp, which the Pod mounts as an emptyDir: arguments under it would be rewritten.
reports=$(mktemp -d /var/tmp/fluxcpp-run-pods.XXXXXX)
trap 'ground stop-pods || true; kubectl delete namespace "$namespace" --ignore-not-found --wait=false >/dev/null;
  rm -rf "$scratch" "$reports"' EXIT

expect_equal "flux is on PATH and is the pinned release" "$FLUX" "$(command -v flux)"
expect "flux runs" flux version --client
expect "the pod runner starts" ground run-pods --namespace "$namespace" \
  --image "stand-in-pod=$FLUXCPP_BINARY_DIR/tests/stand_in_pod"
expect "a Namespace and a ServiceAccount are created" bash -c \
  "kubectl create namespace $namespace && kubectl create serviceaccount runner -n $namespace"
cat >"$scratch/pod.yaml" <<EOF
apiVersion: v1
kind: Pod
metadata: {name: stand-in, namespace: $namespace}
spec:
  serviceAccountName: runner
  terminationGracePeriodSeconds: 3
  containers:
  - name: main
    image: example.test/stand-in-pod:v1
    args: [--report-dir=$reports/report]
    volumeMounts: [{name: tmp, mountPath: /tmp}]
  volumes: [{name: tmp, emptyDir: {}}]
EOF
expect "a Pod with the stand-in image is created" kubectl apply -f "$scratch/pod.yaml"
for _ in $(seq 1 300); do [[ -f "$reports/report/report.json" ]] && break; sleep 0.2; done
expect "the stand-in reported" test -f "$reports/report/report.json"
expect_equal "it ran as the Pod's ServiceAccount" "system:serviceaccount:$namespace:runner" \
  "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["user"]["username"])' \
    "$reports/report/report.json")"
expect "ground stop-pods stops the runner" ground stop-pods
expect "and the runner stopped the process with SIGTERM" test -f "$reports/report/terminated"
