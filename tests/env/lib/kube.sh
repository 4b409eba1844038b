# The Kubernetes control plane of the test ground: etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler and kwok, all on 127.0.0.1, with TLS, RBAC and a service-account signing key.

kube_node_count=2

# write_kubeconfig FILE SERVER CA_FILE USER_NAME (--cert CRT --key KEY | --token TOKEN)
write_kubeconfig() {
  local file=$1 server=$2 ca_file=$3 user=$4 kind=$5
  local credentials
  case "$kind" in
    --cert)
      credentials="    client-certificate-data: $(base64 -w0 <"$6")
    client-key-data: $(base64 -w0 <"$7")"
      ;;
    --token) credentials="    token: $6" ;;
    *) die "write_kubeconfig: unknown credential kind $kind" ;;
  esac
  umask 077
  cat >"$file" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: ground
  cluster:
    server: $server
    certificate-authority-data: $(base64 -w0 <"$ca_file")
users:
- name: $user
  user:
$credentials
contexts:
- name: ground
  context:
    cluster: ground
    user: $user
current-context: ground
EOF
}

kube_make_certificates() {
  local pki=$ground_dir/kube/pki
  mkdir -p "$pki"
  make_ca "$pki" ca
  make_cert "$pki" ca apiserver "/CN=kube-apiserver" serverAuth \
    "IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:10.0.0.1"
  make_cert "$pki" ca admin "/O=system:masters/CN=ground-admin" clientAuth
  make_cert "$pki" ca controller-manager "/CN=system:kube-controller-manager" clientAuth
  make_cert "$pki" ca scheduler "/CN=system:kube-scheduler" clientAuth
  openssl genrsa -out "$pki/service-account.key" 2048 2>/dev/null
  openssl rsa -in "$pki/service-account.key" -pubout -out "$pki/service-account.pub" 2>/dev/null
}

kube_start_etcd() {
  local client_port peer_port
  client_port=$(reserve_port)
  peer_port=$(reserve_port)
  echo "http://127.0.0.1:$client_port" >"$ground_dir/kube/etcd-url"
  start_process etcd "$etcd_bin/etcd" --name ground --data-dir "$ground_dir/kube/etcd" \
    --listen-client-urls "http://127.0.0.1:$client_port" --advertise-client-urls "http://127.0.0.1:$client_port" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "ground=http://127.0.0.1:$peer_port" --unsafe-no-fsync=true --log-level warn
}

kube_start_apiserver() {
  local pki=$ground_dir/kube/pki port
  port=$(reserve_port)
  echo "https://127.0.0.1:$port" >"$ground_dir/kube/server-url"
  start_process kube-apiserver "$kube_bin/kube-apiserver" \
    --etcd-servers "$(cat "$ground_dir/kube/etcd-url")" \
    --bind-address 127.0.0.1 --secure-port "$port" --advertise-address 127.0.0.1 \
    --endpoint-reconciler-type none \
    --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
    --client-ca-file "$pki/ca.crt" --authorization-mode Node,RBAC \
    --service-cluster-ip-range 10.0.0.0/24 --allow-privileged=true \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$pki/service-account.pub" \
    --service-account-signing-key-file "$pki/service-account.key" \
    --enable-priority-and-fairness=false --profiling=false
}

kube_apiserver_ready() {
  local pki=$ground_dir/kube/pki
  curl -sf --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" \
    "$(cat "$ground_dir/kube/server-url")/readyz" >/dev/null
}

kube_start_controllers() {
  local pki=$ground_dir/kube/pki server
  server=$(cat "$ground_dir/kube/server-url")
  write_kubeconfig "$ground_dir/kube/controller-manager.kubeconfig" "$server" "$pki/ca.crt" \
    system:kube-controller-manager --cert "$pki/controller-manager.crt" "$pki/controller-manager.key"
  write_kubeconfig "$ground_dir/kube/scheduler.kubeconfig" "$server" "$pki/ca.crt" \
    system:kube-scheduler --cert "$pki/scheduler.crt" "$pki/scheduler.key"
  # Each controller acts as its own ServiceAccount, as in a kubeadm cluster, so RBAC stays realistic.
  start_process kube-controller-manager "$kube_bin/kube-controller-manager" \
    --kubeconfig "$ground_dir/kube/controller-manager.kubeconfig" --secure-port 0 \
    --leader-elect=false --use-service-account-credentials=true \
    --root-ca-file "$pki/ca.crt" --service-account-private-key-file "$pki/service-account.key" \
    --cluster-signing-cert-file "$pki/ca.crt" --cluster-signing-key-file "$pki/ca.key"
  start_process kube-scheduler "$kube_bin/kube-scheduler" \
    --kubeconfig "$ground_dir/kube/scheduler.kubeconfig" --secure-port 0 --leader-elect=false
}

kube_create_nodes() {
  local index
  for index in $(seq 1 "$kube_node_count"); do
    cat <<EOF
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$index
  annotations:
    kwok.x-k8s.io/node: fake
  labels:
    kubernetes.io/hostname: kwok-node-$index
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    type: kwok
status:
  allocatable: {cpu: "32", memory: 256Gi, pods: "1000"}
  capacity: {cpu: "32", memory: 256Gi, pods: "1000"}
---
EOF
  done | kubectl_admin apply -f - >/dev/null
}

kubectl_admin() { "$kube_bin/kubectl" --kubeconfig "$ground_dir/kube/admin.kubeconfig" "$@"; }

kube_nodes_ready() {
  local ready
  ready=$(kubectl_admin get nodes -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' |
    grep -c True)
  [[ "$ready" -eq "$kube_node_count" ]]
}

kube_default_service_account() { kubectl_admin get serviceaccount default -n default; }

# kwok's Pod stages: its own pod-ready and pod-complete, and the ground's pod-delete
# (tests/env/kwok/pod-delete-stage.yaml) that leaves Pods the pod runner still runs to the runner.
kube_write_kwok_stages() {
  local kwok_module stage
  # `go mod download` fetches the pinned module through the proxy when the cache lacks it.
  kwok_module=$(cd "$env_dir/peers/kwok" && GOTOOLCHAIN=local go mod download -json sigs.k8s.io/kwok |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p') && [[ -n "$kwok_module" ]] ||
    die "cannot get the kwok module's source (tests/env/peers/kwok)"
  for stage in pod-ready pod-complete; do
    [[ -f "$kwok_module/kustomize/stage/pod/fast/$stage.yaml" ]] ||
      die "kwok's $stage stage is missing in $kwok_module"
    cat "$kwok_module/kustomize/stage/pod/fast/$stage.yaml"
    echo "---"
  done >"$ground_dir/kube/kwok-stages.yaml"
  cat "$env_dir/kwok/pod-delete-stage.yaml" >>"$ground_dir/kube/kwok-stages.yaml"
}

kube_up() {
  kube_bin=$("$env_dir/build-peers" --bin-dir kubernetes)
  etcd_bin=$("$env_dir/build-peers" --bin-dir etcd)
  kwok_bin=$("$env_dir/build-peers" --bin-dir kwok)
  mkdir -p "$ground_dir/kube"
  kube_make_certificates
  kube_start_etcd
  wait_until 60 etcd curl -sf "$(cat "$ground_dir/kube/etcd-url")/health"
  kube_start_apiserver
  wait_until 120 kube-apiserver kube_apiserver_ready
  local pki=$ground_dir/kube/pki
  write_kubeconfig "$ground_dir/kube/admin.kubeconfig" "$(cat "$ground_dir/kube/server-url")" "$pki/ca.crt" \
    ground-admin --cert "$pki/admin.crt" "$pki/admin.key"
  wait_until 60 kube-apiserver kubectl_admin get namespace default
  kube_start_controllers
  kube_write_kwok_stages
  start_process kwok "$kwok_bin/kwok" --kubeconfig "$ground_dir/kube/admin.kubeconfig" \
    --config "$ground_dir/kube/kwok-stages.yaml" \
    --manage-all-nodes=false --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
    --server-address "127.0.0.1:$(reserve_port)" --node-lease-duration-seconds 40
  kube_create_nodes
  wait_until 60 kwok kube_nodes_ready
  # Pods are admitted only once the controller manager made the namespace's default ServiceAccount.
  wait_until 60 kube-controller-manager kube_default_service_account
}

