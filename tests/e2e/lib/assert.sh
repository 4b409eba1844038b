# Assertions for the shell end-to-end tests. Each test script is one CTest test: it fails at the first
# failed expectation, naming it, and runs against the peers of the ground it finds in its environment.
set -euo pipefail

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# expect DESCRIPTION COMMAND...: COMMAND must succeed.
expect() {
  local description=$1
  shift
  local output
  if ! output=$("$@" 2>&1); then
    echo "$output" | tail -n 20 >&2
    fail "$description"
  fi
  echo "ok: $description"
}

# expect_failure DESCRIPTION PATTERN COMMAND...: COMMAND must fail, with PATTERN in its output.
expect_failure() {
  local description=$1 pattern=$2
  shift 2
  local output
  if output=$("$@" 2>&1); then fail "$description: the command succeeded"; fi
  grep -qiE -- "$pattern" <<<"$output" || {
    echo "$output" | tail -n 20 >&2
    fail "$description: the error does not say '$pattern'"
  }
  echo "ok: $description"
}

# expect_equal DESCRIPTION EXPECTED ACTUAL
expect_equal() {
  [[ "$2" == "$3" ]] || fail "$1: expected '$2', got '$3'"
  echo "ok: $1"
}

require_ground() {
  local name
  for name in FLUXCPP_GROUND KUBECONFIG GIT_SSH_URL GIT_HTTPS_URL GIT_HTTP_URL GIT_SSH_KEY GIT_KNOWN_HOSTS \
    GIT_CA_FILE GIT_USERNAME GIT_PASSWORD TOFU; do
    [[ -n "${!name:-}" ]] || fail "$name is not set: run under the test ground (eval \"\$(tests/env/ground up)\")"
  done
}

ground() { "$FLUXCPP_SOURCE_DIR/tests/env/ground" "$@"; }

# A scratch folder removed when the test exits.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
