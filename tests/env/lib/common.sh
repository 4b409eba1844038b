# Shared helpers of the test ground: logging, free ports, supervised processes, waiting.
# Sourced by tests/env/ground; expects $ground_dir (the state folder of one ground) to be set.

log() { echo "ground: $*" >&2; }
die() {
  log "error: $*"
  exit 1
}

port_registry=${TMPDIR:-/tmp}/fluxcpp-ground-ports

port_in_use() {
  # /proc/net/tcp* list local addresses as HEXIP:HEXPORT. Any socket on the port counts, not only
  # listeners: a client connection's local port blocks a bind just the same.
  local hex
  hex=$(printf '%04X' "$1")
  awk -v port=":$hex" '$2 ~ port"$" { found = 1 } END { exit !found }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# Ports are picked below the kernel's ephemeral range, where outgoing connections take their local
# ports, so that no client connection can hold a port between its reservation and the server's bind.
port_range() {
  local ephemeral_low
  read -r ephemeral_low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || ephemeral_low=32768
  if ((ephemeral_low > 12000)); then echo "10000 $((ephemeral_low - 10000))"; else echo "40000 20000"; fi
}

# A reservation whose ground folder is gone (a ground killed without `ground down`) is free again.
reclaim_stale_port() {
  local owner
  owner=$(cat "$port_registry/$1/owner" 2>/dev/null) || return 0
  [[ -d "$owner" ]] || rm -rf "${port_registry:?}/$1"
}

# Prints a port on 127.0.0.1 that nothing uses and that no other ground on this machine holds.
# The reservation (an atomic mkdir) lives until `ground down` releases it, so grounds started in
# parallel never pick the same port.
reserve_port() {
  mkdir -p "$port_registry"
  local attempt port first count
  read -r first count < <(port_range)
  for attempt in $(seq 1 200); do
    port=$((first + RANDOM % count))
    port_in_use "$port" && continue
    reclaim_stale_port "$port"
    if mkdir "$port_registry/$port" 2>/dev/null; then
      echo "$ground_dir" >"$port_registry/$port/owner"
      echo "$port" >>"$ground_dir/ports"
      echo "$port"
      return 0
    fi
  done
  die "no free port found on 127.0.0.1 after $attempt attempts"
}

release_ports() {
  [[ -f "$ground_dir/ports" ]] || return 0
  local port
  while read -r port; do
    if [[ "$(cat "$port_registry/$port/owner" 2>/dev/null)" == "$ground_dir" ]]; then
      rm -rf "${port_registry:?}/$port"
    fi
  done <"$ground_dir/ports"
  rm -f "$ground_dir/ports"
}

# Starts a long-running peer in a session of its own, so that stopping it also stops every child it
# forked (sshd connections, CGI processes). Output goes to logs/NAME.log; the pid is the process group.
start_process() {
  local name=$1
  shift
  mkdir -p "$ground_dir/logs" "$ground_dir/pids"
  printf '%s\0' "$@" >"$ground_dir/pids/$name.command"
  setsid "$@" >>"$ground_dir/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$ground_dir/pids/$name"
  grep -qx "$name" "$ground_dir/start-order" 2>/dev/null || echo "$name" >>"$ground_dir/start-order"
}

# Stops a peer and starts it again with the same command line (same ports, same data): for tests of
# what clients do while a server restarts.
restart_process() {
  local name=$1 command=()
  [[ -f "$ground_dir/pids/$name.command" ]] || die "no peer named $name in $ground_dir"
  mapfile -d '' command <"$ground_dir/pids/$name.command"
  stop_process "$name"
  start_process "$name" "${command[@]}"
}

process_group_alive() { pgrep -g "$1" >/dev/null 2>&1; }

stop_process() {
  local name=$1 pid waited
  pid=$(cat "$ground_dir/pids/$name" 2>/dev/null) || return 0
  kill -TERM -- "-$pid" 2>/dev/null || true
  for waited in $(seq 1 100); do
    process_group_alive "$pid" || break
    sleep 0.1
  done
  if process_group_alive "$pid"; then
    log "$name (process group $pid) ignored SIGTERM for 10s; killing it"
    kill -KILL -- "-$pid" 2>/dev/null || true
    sleep 0.2
  fi
  rm -f "$ground_dir/pids/$name"
}

show_log() {
  local name=$1
  echo "----- last lines of $ground_dir/logs/$name.log -----" >&2
  tail -n 40 "$ground_dir/logs/$name.log" >&2 2>/dev/null || true
  echo "-----" >&2
}

# wait_until SECONDS NAME COMMAND...: polls COMMAND every 0.2s; on timeout prints NAME's log and fails.
wait_until() {
  local timeout=$1 name=$2
  shift 2
  local deadline=$((SECONDS + timeout)) pid
  pid=$(cat "$ground_dir/pids/$name" 2>/dev/null || echo "")
  until "$@" >/dev/null 2>&1; do
    if [[ -n "$pid" ]] && ! process_group_alive "$pid"; then
      show_log "$name"
      die "$name exited while starting"
    fi
    if ((SECONDS >= deadline)); then
      show_log "$name"
      die "$name not ready after ${timeout}s (waited for: $*)"
    fi
    sleep 0.2
  done
}
