# The CLI (tofu or terraform, as FLUXCPP_TF_CLI says) installs terraform-provider-flux from a
# filesystem mirror, reads its schema, and calls provider::flux::parse_revision through the real
# plugin protocol (AutoMTLS on, as the CLI runs it). Needs no Kubernetes or Git: the CLI comes
# from the environment or from the peer cache.
source "$(dirname "$0")/provider_env.sh"
sha=0123456789abcdef0123456789abcdef01234567

# The provider makes its socket folder under TMPDIR (the CLI passes its environment on), so the
# test can see that each one is removed.
export TMPDIR=$scratch/tmp
mkdir -p "$TMPDIR"
# Installed from a mirror through init, as from a registry, instead of provider_env's
# dev_overrides; and without the test resources.
unset FLUXCPP_PROVIDER_TEST_RESOURCES
eval "$("$FLUXCPP_SOURCE_DIR/tests/env/tofu-config" mirror "$provider_binary" 0.1.0 \
  "$scratch/mirror" "$scratch/tofurc")"
use_config parse_revision
provider_address=$registry_host/fluxcd/flux

# Processes running a binary from this test's folders: the installed provider is a copy or a link
# into the mirror, both under $scratch.
our_providers() {
  local process exe
  for process in /proc/[0-9]*; do
    exe=$(readlink "$process/exe" 2>/dev/null) || continue
    [[ "$exe" == "$scratch"/* ]] && echo "${process#/proc/} $exe"
  done
  return 0
}
expect_no_leftovers() {
  expect_equal "$1: no provider process is left running" "" "$(our_providers)"
  expect_equal "$1: every socket folder is removed" "" "$(ls -A "$TMPDIR" | grep '^plugin-flux-' || true)"
}

# (e) By hand, the binary says what it is, writes nothing on stdout and exits 1.
set +e
env -u TF_PLUGIN_MAGIC_COOKIE "$provider_binary" >"$scratch/stdout" 2>"$scratch/stderr"
status=$?
set -e
expect_equal "run by hand: exit status" 1 "$status"
expect_equal "run by hand: nothing on stdout" "" "$(cat "$scratch/stdout")"
expect "run by hand: stderr says it is a plugin" grep -q "This binary is a plugin" "$scratch/stderr"
set +e
TF_PLUGIN_MAGIC_COOKIE=wrong "$provider_binary" >"$scratch/stdout" 2>/dev/null
status=$?
set -e
expect_equal "wrong cookie: exit status" 1 "$status"
expect_equal "wrong cookie: nothing on stdout" "" "$(cat "$scratch/stdout")"

# (a) init installs the provider from the mirror and records it in the lock file.
expect "init installs fluxcd/flux from the mirror" tf init -input=false -no-color
expect "the lock file records fluxcd/flux 0.1.0 with a hash" \
  grep -Pzq 'provider "'"$provider_address"'" \{\s*version\s*=\s*"0.1.0"[^}]*h1:' \
  "$work/.terraform.lock.hcl"
expect_no_leftovers "after init"

# (b) The schema lists the function with its parameter and return type.
tf providers schema -json >"$scratch/schema.json"
functions=".provider_schemas[\"$provider_address\"].functions"
expect_equal "schema: parse_revision takes one string named revision" '[{"name":"revision","type":"string"}]' \
  "$(jq -c "$functions.parse_revision.parameters | map({name, type})" "$scratch/schema.json")"
expect_equal "schema: parse_revision returns {branch, sha}" '["object",{"branch":"string","sha":"string"}]' \
  "$(jq -c "$functions.parse_revision.return_type" "$scratch/schema.json")"
expect_no_leftovers "after providers schema"

# (c) apply evaluates the function; the output holds branch and sha.
# A trace log shows whether the provider exits on Shutdown rather than being killed after 2 s.
TF_LOG=trace TF_LOG_PATH=$scratch/apply.log expect "tf apply" tf apply -auto-approve -input=false -no-color
expect_equal "main@sha1:<sha> parses" "{\"branch\":\"main\",\"sha\":\"$sha\"}" \
  "$(tf output -no-color -json parsed | jq -c .)"
expect_no_leftovers "after apply"
expect_equal "the provider exits when asked, not killed" "" \
  "$(grep -i "failed to exit gracefully\|plugin process exited.*error" "$scratch/apply.log" || true)"
expect "the provider spoke over TLS (the core asked for it)" \
  grep -q 'plugin server listening:.*tls=true' "$scratch/apply.log"

expect "tf apply with a tag revision" tf apply -auto-approve -input=false -no-color -var "revision=v1.0.1@sha1:$sha"
expect_equal "v1.0.1@sha1:<sha> parses" "{\"branch\":\"v1.0.1\",\"sha\":\"$sha\"}" \
  "$(tf output -no-color -json parsed | jq -c .)"
expect "tf apply with a bare commit" tf apply -auto-approve -input=false -no-color -var "revision=sha1:$sha"
expect_equal "sha1:<sha> parses" "{\"branch\":\"\",\"sha\":\"$sha\"}" \
  "$(tf output -no-color -json parsed | jq -c .)"

# (d) An invalid revision is an error that names the argument.
expect_failure "an invalid revision fails the plan, naming the argument" 'Invalid value for "revision"' \
  tf plan -input=false -no-color -var "revision=main@md5:xyz"
expect_failure "an empty revision fails the plan too" '"revision"' \
  tf plan -input=false -no-color -var "revision="
expect_no_leftovers "after the failed plans"

# Plaintext, when the core does not ask for TLS.
TF_DISABLE_PLUGIN_TLS=1 expect "tf plan without AutoMTLS" tf plan -input=false -no-color
expect_no_leftovers "after the plaintext plan"

# TCP on the loopback instead of a unix socket, when asked: the CLI starts the provider with its own
# environment, so FLUXCPP_PLUGIN_NETWORK reaches it; PLUGIN_MIN_PORT/MAX_PORT come from the core.
# With no socket file made, the apply can only succeed over the announced TCP address.
FLUXCPP_PLUGIN_NETWORK=tcp TF_LOG=trace TF_LOG_PATH=$scratch/tcp.log \
  expect "tf apply over TCP" tf apply -auto-approve -input=false -no-color -var "revision=main@sha1:$sha"
expect "the provider listened on 127.0.0.1 (tcp)" \
  grep -q 'plugin server listening:.*network=tcp.*address=127.0.0.1:[0-9]' "$scratch/tcp.log"
expect_equal "the function works over TCP" "{\"branch\":\"main\",\"sha\":\"$sha\"}" \
  "$(tf output -no-color -json parsed | jq -c .)"
expect_equal "no socket folder is made for TCP" "" "$(ls -A "$TMPDIR" | grep '^plugin-flux-' || true)"
expect_no_leftovers "after the TCP apply"

# --debug --tcp prints a reattach value with a TCP address that the CLI can use.
"$provider_binary" --debug --tcp >"$scratch/debug.out" 2>"$scratch/debug.err" &
debug_pid=$!
for _ in $(seq 50); do grep -q TF_REATTACH_PROVIDERS "$scratch/debug.out" && break; sleep 0.1; done
reattach=$(sed -n "s/^  export TF_REATTACH_PROVIDERS='\(.*\)'$/\1/p" "$scratch/debug.out")
expect_equal "reattach: network tcp" "tcp" \
  "$(jq -r ".[\"$provider_address\"].Addr.Network" <<<"$reattach")"
TF_REATTACH_PROVIDERS=$reattach expect "tf plan attached to the TCP debug provider" \
  tf plan -input=false -no-color -var "revision=main@sha1:$sha"
kill -INT "$debug_pid"
wait "$debug_pid" || true
expect_no_leftovers "after the TCP debug provider stopped"
