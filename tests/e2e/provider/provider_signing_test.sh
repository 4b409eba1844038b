# flux_bootstrap_git through a real OpenTofu or Terraform (FLUXCPP_TF_CLI) with the Go provider's
# git.gpg_key_ring / gpg_passphrase / gpg_key_id and kubernetes.config_context_auth_info /
# config_context_cluster: a wrong passphrase fails before Git or the cluster change; the right
# one bootstraps (the real flux-reconciler run by the pod runner) and every commit pushed —
# the bootstrap's and destroy's — verifies with the real `git verify-commit` against the key's
# public half. The kubeconfig's current context names an unreachable cluster and a bogus user,
# so the apply only works because the overrides pick the working entries.
source "$(dirname "$0")/provider_env.sh"
source "$(dirname "$0")/../lib/pod_runner.sh"
require_ground

namespace=tf-signed-$(head -c 64 /dev/urandom | tr -dc 'a-z0-9' | head -c 8)
cleanup() {
  stop_pod_runners
  local kind
  for kind in kustomizations.kustomize.toolkit.fluxcd.io gitrepositories.source.toolkit.fluxcd.io; do
    kubectl -n "$namespace" patch "$kind" "$namespace" --type merge -p '{"metadata":{"finalizers":null}}' >/dev/null 2>&1 || true
  done
  kubectl delete namespace "$namespace" --wait=false >/dev/null 2>&1 || true
  gpgconf --homedir "$scratch/signer" --kill gpg-agent 2>/dev/null || true
  gpgconf --homedir "$scratch/verifier" --kill gpg-agent 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT

# A protected signing key made now, in a GnuPG home of the test's own.
mkdir -m 700 "$scratch/signer" "$scratch/verifier"
echo "s2k-count 65536" >"$scratch/signer/gpg-agent.conf" # no seconds-long key stretching in tests
passphrase="tf signs $(head -c 32 /dev/urandom | tr -dc 'a-z0-9' | head -c 8)"
signer_gpg() { gpg --homedir "$scratch/signer" --batch --no-tty --pinentry-mode loopback "$@"; }
signer_gpg --passphrase "$passphrase" --quick-gen-key "Flux <flux@fluxcpp.test>" ed25519 sign never 2>/dev/null
key_id=$(signer_gpg --with-colons --list-secret-keys 2>/dev/null | awk -F: '$1 == "sec" {print $5; exit}')
[[ ${#key_id} -eq 16 ]] || fail "no key id from gpg"
signer_gpg --passphrase "$passphrase" --armor --export-secret-keys "$key_id" >"$scratch/ring.asc" 2>/dev/null
signer_gpg --armor --export "$key_id" 2>/dev/null | gpg --homedir "$scratch/verifier" --batch --import 2>/dev/null

# The admin kubeconfig plus a broken cluster and user that its new current context names.
kubeconfig=$scratch/kubeconfig
cp "$KUBECONFIG" "$kubeconfig"
admin_cluster=$(kubectl --kubeconfig "$kubeconfig" config view -o jsonpath='{.contexts[0].context.cluster}')
admin_user=$(kubectl --kubeconfig "$kubeconfig" config view -o jsonpath='{.contexts[0].context.user}')
kubectl --kubeconfig "$kubeconfig" config set-cluster unreachable --server=https://127.0.0.1:1 >/dev/null
kubectl --kubeconfig "$kubeconfig" config set-credentials stranger --token=not-a-real-token >/dev/null
kubectl --kubeconfig "$kubeconfig" config set-context broken --cluster=unreachable --user=stranger >/dev/null
kubectl --kubeconfig "$kubeconfig" config use-context broken >/dev/null

name=tf-signed-$(head -c 64 /dev/urandom | tr -dc 'a-z0-9' | head -c 8)
urls=$(ground repo "$name")
bare=$FLUXCPP_GROUND/git/repos/$name.git
use_config bootstrap_signed
export TF_VAR_kubeconfig=$kubeconfig TF_VAR_kube_user=$admin_user TF_VAR_kube_cluster=$admin_cluster
export TF_VAR_namespace=$namespace TF_VAR_gpg_key_ring_file=$scratch/ring.asc TF_VAR_gpg_key_id=0x$key_id
export TF_VAR_url
TF_VAR_url=$(sed -n 's/^export GIT_HTTPS_URL=//p' <<<"$urls")
export TF_VAR_username=$GIT_USERNAME TF_VAR_password=$GIT_PASSWORD TF_VAR_ca_file=$GIT_CA_FILE

# verify_head DESCRIPTION: the branch's head at the Git server carries a good signature by the key.
verify_head() {
  local status
  status=$(GNUPGHOME=$scratch/verifier git --git-dir "$bare" verify-commit --raw main 2>&1) ||
    { echo "$status" >&2; fail "$1: git verify-commit refuses the head"; }
  grep -q "GOODSIG $key_id" <<<"$status" || { echo "$status" >&2; fail "$1: no good signature by $key_id"; }
  echo "ok: $1"
}

export TF_VAR_gpg_passphrase="not the passphrase"
expect_failure "a wrong passphrase is named" "wrong passphrase for OpenPGP" \
  tf apply -auto-approve -input=false -no-color
[[ -z "$(ground read "$name" main 2>/dev/null || true)" ]] || fail "a wrong passphrase: something was pushed"
if kubectl get namespace "$namespace" >/dev/null 2>&1; then fail "a wrong passphrase: the namespace was made"; fi
echo "ok: a wrong passphrase changes neither Git nor the cluster"

export TF_VAR_gpg_passphrase=$passphrase
start_pod_runner "$namespace"
expect "tf apply bootstraps with signed commits" tf apply -auto-approve -input=false -no-color
expect "the files are in Git" ground read "$name" main "clusters/signed/$namespace/gotk-sync.yaml"
verify_head "the bootstrap commit verifies"
expect_no_changes "a second plan has nothing to do"

head_before=$(git --git-dir "$bare" rev-parse main)
expect "tf destroy" tf destroy -auto-approve -input=false -no-color
[[ $(git --git-dir "$bare" rev-parse main) != "$head_before" ]] || fail "destroy pushed no commit"
verify_head "the commit removing the files verifies"
