# The Git server of the test ground, driven by the real git CLI over SSH (strict host keys), HTTPS (own
# CA, basic auth) and plain HTTP; each push is seen by the next clone over another transport.
source "$(dirname "$0")/../lib/assert.sh"
require_ground
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=true GIT_TERMINAL_PROMPT=0
eval "$(ground repo transport-test)"

ssh_command() {
  echo "ssh -i $GIT_SSH_KEY -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=$1"
}
https_url_with() { echo "${GIT_HTTPS_URL/https:\/\//https://$1@}"; }

commit_and_push() {
  local tree=$1 file=$2
  echo "$file" >"$tree/$file"
  git -C "$tree" add "$file"
  git -C "$tree" -c user.name=test -c user.email=test@localhost commit -q -m "Add $file"
  git -C "$tree" push -q origin HEAD:refs/heads/main
}

# SSH
export GIT_SSH_COMMAND
GIT_SSH_COMMAND=$(ssh_command "$GIT_KNOWN_HOSTS")
expect "clone over SSH with the handed-out known_hosts" git clone -q "$GIT_SSH_URL" "$scratch/ssh"
expect "push over SSH" commit_and_push "$scratch/ssh" from-ssh
: >"$scratch/empty_known_hosts"
GIT_SSH_COMMAND=$(ssh_command "$scratch/empty_known_hosts") expect_failure \
  "an unknown host key is refused" "host key verification failed" git ls-remote "$GIT_SSH_URL"
ssh-keygen -q -t ed25519 -N '' -f "$scratch/stranger"
GIT_SSH_COMMAND="ssh -i $scratch/stranger -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile=$GIT_KNOWN_HOSTS" \
  expect_failure "a key that is not authorized is refused" "permission denied" git ls-remote "$GIT_SSH_URL"
unset GIT_SSH_COMMAND

# HTTPS
export GIT_SSL_CAINFO=$GIT_CA_FILE
good_url=$(https_url_with "$GIT_USERNAME:$GIT_PASSWORD")
expect "clone over HTTPS with the handed-out CA and credentials" git clone -q "$good_url" "$scratch/https"
expect_equal "the SSH push is seen over HTTPS" from-ssh "$(cat "$scratch/https/from-ssh")"
expect "push over HTTPS" commit_and_push "$scratch/https" from-https
expect_failure "a wrong password is refused" "authentication failed" \
  git ls-remote "$(https_url_with "$GIT_USERNAME:wrong-password")"
expect_failure "no credentials are refused" "authentication failed|could not read username" git ls-remote "$GIT_HTTPS_URL"
GIT_SSL_CAINFO=/etc/ssl/certs/ca-certificates.crt expect_failure \
  "the server is not trusted without the handed-out CA" "certificate" git ls-remote "$good_url"
unset GIT_SSL_CAINFO

# HTTP
expect "clone over HTTP" git clone -q "$GIT_HTTP_URL" "$scratch/http"
expect_equal "the HTTPS push is seen over HTTP" from-https "$(cat "$scratch/http/from-https")"
expect "push over HTTP" commit_and_push "$scratch/http" from-http

# The ground's helpers see what the transports pushed, and seed repositories from folders.
expect_equal "ground read lists the pushed files" "from-http from-https from-ssh" \
  "$(ground read transport-test main | tr '\n' ' ' | sed 's/ $//')"
commit=$(ground seed seeded-test "$(dirname "$0")/testdata/seed")
expect_equal "ground seed prints the commit" 40 "${#commit}"
expect_equal "ground read prints a seeded file" "name: seeded" \
  "$(ground read seeded-test main apps/configmap.yaml | grep 'name:' | sed 's/^ *//')"
expect_equal "the seeded commit is the head over HTTP" "$commit" \
  "$(git ls-remote "${GIT_HTTP_URL%/*}/seeded-test.git" refs/heads/main | cut -f1)"
