# The control plane of the test ground handles what the product relies on: namespaced objects, CRDs and
# their custom objects, Deployments that roll out on kwok nodes, and Namespace deletion.
source "$(dirname "$0")/../lib/assert.sh"
require_ground
testdata=$(dirname "$0")/testdata
kubectl delete namespace ground-objects --ignore-not-found --wait=true >/dev/null

expect "the API server reports the pinned release" bash -c 'kubectl version -o json | grep -q "\"gitVersion\": \"v1\.[0-9]*\.[0-9]*\""'
expect "a Namespace is created" kubectl create namespace ground-objects
expect "the CRD is created" kubectl apply -f "$testdata/widgets-crd.yaml"
expect "the CRD becomes Established" kubectl wait --for=condition=Established --timeout=60s crd/widgets.ground.fluxcpp.test
expect "a ConfigMap, a custom object and a Deployment are created" kubectl apply -f "$testdata/objects.yaml"
expect_equal "the ConfigMap reads back" blue "$(kubectl get configmap settings -n ground-objects -o jsonpath='{.data.color}')"
expect_equal "the custom object reads back" 3 "$(kubectl get widget sprocket -n ground-objects -o jsonpath='{.spec.size}')"
expect "the Deployment of 2 replicas becomes Available" \
  kubectl wait --for=condition=Available --timeout=120s deployment/web -n ground-objects
expect_equal "both replicas are ready" 2 "$(kubectl get deployment web -n ground-objects -o jsonpath='{.status.readyReplicas}')"
expect_equal "its Pods run on kwok nodes" "kwok-node" \
  "$(kubectl get pods -n ground-objects -l app=web -o jsonpath='{.items[0].spec.nodeName}' | cut -d- -f1,2)"
expect "deleting the Namespace finishes" kubectl delete namespace ground-objects --wait=true --timeout=120s
expect_failure "the Namespace is gone" "not ?found" kubectl get namespace ground-objects
