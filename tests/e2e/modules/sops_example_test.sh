# examples/sops on the test ground, as a user runs it: `tofu apply` bootstraps a new repository,
# then the bash blocks of the README between its steps:begin and steps:end markers run verbatim
# (age-keygen, kubectl create secret sops-age, a clone with .sops.yaml, `sops encrypt` of a Secret,
# the Kustomization with spec.decryption, git push, flux reconcile) with the README's variables set
# to this ground's values. The Secret must arrive decrypted while Git holds only ciphertext.
source "$(dirname "$0")/modules_env.sh"

kustomizations=kustomizations.kustomize.toolkit.fluxcd.io
name=example-sops-$(random_suffix)
namespace=ex-sops-$(random_suffix)
namespaces+=("$namespace")
url=$(new_repository "$name" SSH)
folder=$(use_folder examples/sops sops)
variables=(-var "kubeconfig_path=$KUBECONFIG" -var "repository_url=$url" -var "namespace=$namespace"
  -var "cluster_path=clusters/dev" -var "private_key_file=$GIT_SSH_KEY" -var "known_hosts_file=$GIT_KNOWN_HOSTS")
expect "sops: tofu apply" tofu_in "$folder" apply -auto-approve -input=false -no-color "${variables[@]}"
expect_ready "$namespace" $kustomizations "$namespace"

# The README's steps, in order, from the marked section only (the bootstrap above is theirs).
steps=$scratch/steps.sh
awk '/<!-- steps:begin/ { inside = 1 } /<!-- steps:end/ { inside = 0 }
  inside && /^```bash/ { fence = 1; next }
  fence && /^```/ { fence = 0; next }
  fence { print }' "$FLUXCPP_SOURCE_DIR/examples/sops/README.md" >"$steps"
grep -q 'sops encrypt' "$steps" || fail "sops: no steps found in the README"
grep -q 'kubectl create secret generic sops-age' "$steps" || fail "sops: the README does not create sops-age"

user=$scratch/user
mkdir -p "$user"
# What the README leaves to the user's machine: sops on PATH, Git's identity and SSH credentials.
sops_dir=$(dirname "${SOPS:-$("$FLUXCPP_SOURCE_DIR/tests/env/build-peers" --bin-dir sops)/sops}")
expect "sops: the README's steps" env -C "$user" \
  PATH="$sops_dir:$PATH" \
  NAMESPACE="$namespace" CLUSTER_PATH=clusters/dev REPOSITORY_URL="$url" \
  GIT_AUTHOR_NAME="SOPS Example" GIT_AUTHOR_EMAIL=example@example.com \
  GIT_COMMITTER_NAME="SOPS Example" GIT_COMMITTER_EMAIL=example@example.com \
  GIT_SSH_COMMAND="ssh -i $GIT_SSH_KEY -o UserKnownHostsFile=$GIT_KNOWN_HOSTS -o IdentitiesOnly=yes -o BatchMode=yes" \
  bash -euo pipefail "$steps"

wait_ready "$namespace" $kustomizations secrets 120
expect_equal "sops: the Kustomization decrypts with sops" sops \
  "$(kubectl -n "$namespace" get $kustomizations secrets -o jsonpath='{.spec.decryption.provider}')"
expect_equal "sops: the password arrives decrypted" change-me-now \
  "$(kubectl -n "$namespace" get secret basic-auth -o jsonpath='{.data.password}' | base64 -d)"
expect_equal "sops: the username arrives decrypted" admin \
  "$(kubectl -n "$namespace" get secret basic-auth -o jsonpath='{.data.username}' | base64 -d)"
encrypted=$(ground read "$name" main secrets/basic-auth.yaml)
grep -q 'ENC\[AES256_GCM' <<<"$encrypted" || fail "sops: the Secret in Git is not SOPS-encrypted"
if grep -qF -e "$(printf change-me-now | base64)" -e change-me-now <<<"$encrypted"; then
  fail "sops: the password is in Git"
fi
echo "ok: sops: Git holds only the encrypted password"
if kubectl -n "$namespace" get events -o yaml | grep -qF change-me-now ||
  kubectl -n "$namespace" get $kustomizations -o yaml | grep -qF change-me-now; then
  fail "sops: the password is in an event or a Kustomization"
fi
echo "ok: sops: no event or Kustomization carries the password"
expect "sops: tofu destroy" tofu_in "$folder" destroy -auto-approve -input=false -no-color "${variables[@]}"
