# The ground mints tokens and kubeconfigs for any ServiceAccount, and RBAC applies to them.
source "$(dirname "$0")/../lib/assert.sh"
require_ground
namespace=ground-accounts
kubectl delete namespace "$namespace" --ignore-not-found --wait=true >/dev/null
trap 'kubectl delete namespace "$namespace" --ignore-not-found --wait=false >/dev/null; rm -rf "$scratch"' EXIT

expect "a Namespace and a ServiceAccount are created" bash -c \
  "kubectl create namespace $namespace && kubectl create serviceaccount reader -n $namespace"
ground kubeconfig "$namespace" reader >"$scratch/reader.kubeconfig"
as_reader() { kubectl --kubeconfig "$scratch/reader.kubeconfig" "$@"; }
expect_equal "the kubeconfig authenticates as the ServiceAccount" "system:serviceaccount:$namespace:reader" \
  "$(as_reader auth whoami -o jsonpath='{.status.userInfo.username}')"
expect_failure "without RBAC rights it is Forbidden" "forbidden" as_reader get configmaps -n "$namespace"
expect "a Role and RoleBinding grant reading ConfigMaps" bash -c \
  "kubectl create role read-configmaps -n $namespace --verb=get,list --resource=configmaps &&
   kubectl create rolebinding reader -n $namespace --role=read-configmaps --serviceaccount=$namespace:reader"
expect "with the binding it may list ConfigMaps" as_reader get configmaps -n "$namespace"
expect_failure "and still not Secrets" "forbidden" as_reader get secrets -n "$namespace"
token=$(ground token "$namespace" reader 600)
expect_equal "a bare token authenticates too" "system:serviceaccount:$namespace:reader" \
  "$(kubectl --kubeconfig /dev/null --server "$(kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}')" \
    --insecure-skip-tls-verify --token "$token" auth whoami -o jsonpath='{.status.userInfo.username}')"
