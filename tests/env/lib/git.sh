# The Git server of the test ground: the bare repositories under $ground_dir/git/repos, served over SSH
# (an unprivileged sshd, key authentication only), over HTTPS (lighttpd + git-http-backend with a CA of
# its own: basic auth under /git, a bearer token under /token-git, no credentials under /public-git,
# and /moved-git redirecting to /public-git),
# over HTTPS on a second port that requires a client certificate signed by the ground's client CA
# (mutual TLS, no other credentials) and over plain HTTP.

git_repos() { echo "$ground_dir/git/repos"; }

# Git on the ground's side never reads the user's or the machine's configuration.
git_isolated() { GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=true git "$@"; }

git_check_repo_name() {
  [[ "$1" =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ && "$1" != *..* ]] ||
    die "repository name '$1' may hold only letters, digits, '.', '_' and '-'"
}

git_create_repo() {
  local name=$1 repo
  git_check_repo_name "$name"
  repo=$(git_repos)/$name.git
  [[ -d "$repo" ]] && return 0
  git_isolated init -q --bare -b main "$repo"
  # Pushes over plain HTTP carry no user; HTTPS requires one at the web server before git sees it.
  git_isolated -C "$repo" config http.receivepack true
  git_isolated -C "$repo" config receive.denyNonFastForwards false
}

git_print_urls() {
  local name=$1
  cat <<EOF
export GIT_SSH_URL=ssh://$(cat "$ground_dir/git/ssh-user")@127.0.0.1:$(cat "$ground_dir/git/ssh-port")/$name.git
export GIT_HTTPS_URL=https://127.0.0.1:$(cat "$ground_dir/git/https-port")/git/$name.git
export GIT_HTTP_URL=http://127.0.0.1:$(cat "$ground_dir/git/http-port")/git/$name.git
export GIT_TOKEN_URL=https://127.0.0.1:$(cat "$ground_dir/git/https-port")/token-git/$name.git
export GIT_PUBLIC_HTTPS_URL=https://127.0.0.1:$(cat "$ground_dir/git/https-port")/public-git/$name.git
export GIT_MTLS_URL=https://127.0.0.1:$(cat "$ground_dir/git/mtls-port")/git/$name.git
EOF
}

git_make_ssh_keys() {
  local ssh_dir=$ground_dir/git/ssh type
  mkdir -p "$ssh_dir"
  for type in ed25519 ecdsa rsa; do
    ssh-keygen -q -t "$type" -N '' -C "ground host key" -f "$ssh_dir/host_$type"
  done
  ssh-keygen -q -t ed25519 -N '' -C "ground client key" -f "$ssh_dir/client_ed25519"
  cp "$ssh_dir/client_ed25519.pub" "$ssh_dir/authorized_keys"
}

# The only command an SSH session may run: git's pack services on a repository under the repos folder,
# addressed as /NAME.git (ssh:// URLs) or NAME.git (scp-like URLs).
git_write_ssh_command() {
  cat >"$ground_dir/git/ssh/git-serve" <<EOF
#!/usr/bin/env bash
set -eu
read -r service path <<<"\${SSH_ORIGINAL_COMMAND:-}"
path=\${path//\\'/}
path=\${path#/}
case "\$service" in
  git-upload-pack | git-receive-pack | git-upload-archive) ;;
  *) echo "this server only serves git, not '\${SSH_ORIGINAL_COMMAND:-an interactive shell}'" >&2; exit 1 ;;
esac
if [[ ! "\$path" =~ ^[A-Za-z0-9][A-Za-z0-9._-]*\$ || "\$path" == *..* ]]; then
  echo "no such repository: \$path" >&2; exit 1
fi
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=true
exec "\$service" "$(git_repos)/\$path"
EOF
  chmod 755 "$ground_dir/git/ssh/git-serve"
}

git_start_sshd() {
  local ssh_dir=$ground_dir/git/ssh port user
  port=$(reserve_port)
  user=$(id -un)
  echo "$port" >"$ground_dir/git/ssh-port"
  echo "$user" >"$ground_dir/git/ssh-user"
  git_make_ssh_keys
  git_write_ssh_command
  cat >"$ssh_dir/sshd_config" <<EOF
Port $port
ListenAddress 127.0.0.1
HostKey $ssh_dir/host_ed25519
HostKey $ssh_dir/host_ecdsa
HostKey $ssh_dir/host_rsa
PidFile $ssh_dir/sshd.pid
AuthorizedKeysFile $ssh_dir/authorized_keys
AllowUsers $user
StrictModes no
UsePAM no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
ForceCommand $ssh_dir/git-serve
AcceptEnv GIT_PROTOCOL
PermitTTY no
AllowTcpForwarding no
AllowAgentForwarding no
X11Forwarding no
LogLevel VERBOSE
EOF
  local type
  for type in ed25519 ecdsa rsa; do
    echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$ssh_dir/host_$type.pub")"
  done >"$ssh_dir/known_hosts"
  # sshd started as root keeps its privilege-separation chroot there.
  if [[ $(id -u) -eq 0 ]]; then mkdir -p /run/sshd && chmod 755 /run/sshd; fi
  start_process sshd "$(command -v sshd || echo /usr/sbin/sshd)" -D -e -f "$ssh_dir/sshd_config"
  wait_until 30 sshd ssh-keyscan -p "$port" -T 2 127.0.0.1
}

git_start_lighttpd() {
  local web_dir=$ground_dir/git/web http_port https_port mtls_port token
  mkdir -p "$web_dir/htdocs"
  http_port=$(reserve_port)
  https_port=$(reserve_port)
  mtls_port=$(reserve_port)
  echo "$http_port" >"$ground_dir/git/http-port"
  echo "$https_port" >"$ground_dir/git/https-port"
  echo "$mtls_port" >"$ground_dir/git/mtls-port"
  make_ca "$web_dir" ca
  make_cert "$web_dir" ca server "/CN=127.0.0.1" serverAuth "IP:127.0.0.1,DNS:localhost"
  # Clients of the mutual-TLS port prove themselves with a certificate of this CA.
  make_ca "$web_dir" client-ca
  make_cert "$web_dir" client-ca client "/CN=fluxcpp ground client" clientAuth
  cat "$web_dir/server.crt" "$web_dir/ca.crt" >"$web_dir/server-chain.crt"
  echo "fluxcpp" >"$ground_dir/git/username"
  openssl rand -hex 16 >"$ground_dir/git/password"
  token=$(openssl rand -hex 20)
  echo "$token" >"$ground_dir/git/bearer-token"
  echo "$(cat "$ground_dir/git/username"):$(cat "$ground_dir/git/password")" >"$web_dir/users"
  chmod 600 "$web_dir/users"
  cat >"$web_dir/lighttpd.conf" <<EOF
server.modules = ("mod_access", "mod_redirect", "mod_alias", "mod_auth", "mod_authn_file", "mod_setenv", "mod_cgi", "mod_openssl", "mod_accesslog")
server.document-root = "$web_dir/htdocs"
server.bind = "127.0.0.1"
server.port = $http_port
server.errorlog = "$ground_dir/logs/lighttpd-error.log"
accesslog.filename = "$ground_dir/logs/lighttpd-access.log"
alias.url = (
  "/git" => "/usr/lib/git-core/git-http-backend",
  "/token-git" => "/usr/lib/git-core/git-http-backend",
  "/public-git" => "/usr/lib/git-core/git-http-backend",
)
\$HTTP["url"] =~ "^/(git|token-git|public-git)/" {
  cgi.assign = ("" => "")
  setenv.add-environment = (
    "GIT_PROJECT_ROOT" => "$(git_repos)",
    "GIT_HTTP_EXPORT_ALL" => "",
    "GIT_CONFIG_GLOBAL" => "/dev/null",
    "GIT_CONFIG_NOSYSTEM" => "true",
  )
}
\$SERVER["socket"] == "127.0.0.1:$https_port" {
  ssl.engine = "enable"
  ssl.pemfile = "$web_dir/server.crt"
  ssl.privkey = "$web_dir/server.key"
  auth.backend = "plain"
  auth.backend.plain.userfile = "$web_dir/users"
  auth.require = ("/git" => ("method" => "basic", "realm" => "fluxcpp test ground", "require" => "valid-user"))
  # A repository that moved: every request is redirected (301) to the same place under /public-git.
  url.redirect = ("^/moved-git/(.*)\$" => "/public-git/\$1")
  # lighttpd has no bearer-token authentication: anything but the ground's token is refused (403).
  \$HTTP["url"] =~ "^/token-git/" {
    \$REQUEST_HEADER["Authorization"] != "Bearer $token" {
      url.access-deny = ("")
    }
  }
}
\$SERVER["socket"] == "127.0.0.1:$mtls_port" {
  ssl.engine = "enable"
  ssl.privkey = "$web_dir/server.key"
  # The chain rides along in the PEM file: otherwise lighttpd builds it from ssl.ca-file, which
  # here holds the client CA only, and breaks off some handshakes with "internal error".
  ssl.pemfile = "$web_dir/server-chain.crt"
  ssl.ca-file = "$web_dir/client-ca.crt"
  ssl.verifyclient.activate = "enable"
  ssl.verifyclient.enforce = "enable"
  ssl.verifyclient.depth = 1
  \$HTTP["url"] =~ "^/(token|public)-git/" {
    url.access-deny = ("")
  }
}
EOF
  start_process lighttpd lighttpd -D -f "$web_dir/lighttpd.conf"
  wait_until 30 lighttpd curl -sf -o /dev/null "http://127.0.0.1:$http_port/git/$default_repo.git/info/refs?service=git-upload-pack"
}

git_up() {
  mkdir -p "$(git_repos)"
  git_create_repo "$default_repo"
  git_start_sshd
  git_start_lighttpd
}

# Commits the contents of FOLDER as the new tree of BRANCH (default main) in repository NAME.
git_seed_repo() {
  local name=$1 folder=$2 branch=${3:-main} work
  git_create_repo "$name"
  [[ -d "$folder" ]] || die "seed: $folder is not a folder"
  work=$(mktemp -d)
  git_isolated clone -q "$(git_repos)/$name.git" "$work/tree" 2>/dev/null
  git_isolated -C "$work/tree" checkout -q -B "$branch"
  find "$work/tree" -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +
  cp -a "$folder/." "$work/tree/"
  git_isolated -C "$work/tree" add -A
  git_isolated -C "$work/tree" -c user.name=ground -c user.email=ground@localhost \
    commit -q --allow-empty -m "Seed from $(basename "$folder")"
  git_isolated -C "$work/tree" push -q origin "HEAD:refs/heads/$branch"
  git_isolated -C "$work/tree" rev-parse HEAD
  rm -rf "$work"
}

# Prints the file list of BRANCH, or the content of PATH at its head.
git_read_repo() {
  local name=$1 branch=$2 path=${3:-}
  git_check_repo_name "$name"
  if [[ -z "$path" ]]; then
    git_isolated -C "$(git_repos)/$name.git" ls-tree -r --name-only "refs/heads/$branch"
  else
    git_isolated -C "$(git_repos)/$name.git" show "refs/heads/$branch:$path"
  fi
}
