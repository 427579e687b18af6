# shellcheck shell=bash
# Shared helpers for scripts/cluster-up and scripts/cluster-down. Source it.

E2E_SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
E2E_DIR="${CANARY_E2E_DIR:-/tmp/canary-e2e}"
E2E_PKI="$E2E_DIR/pki"
E2E_LOGS="$E2E_DIR/logs"
E2E_PIDS="$E2E_DIR/pids"
E2E_KUBECONFIG="$E2E_DIR/kubeconfig"
# start order; cluster-down stops in reverse order
E2E_COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

e2e_log() { printf '[e2e %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
e2e_die() { e2e_log "ERROR: $*"; exit 1; }

# Puts the toolchain's current/ dir (and Go) on PATH; fails if a binary is missing.
e2e_use_toolchain() {
  local d
  d="$("$E2E_SCRIPTS_DIR/toolchain" --print-path)"
  export PATH="$d:$PATH"
  [[ -x /usr/local/go/bin/go ]] && export PATH="$PATH:/usr/local/go/bin"
  local b
  for b in "$@"; do
    [[ -x "$d/$b" ]] || e2e_die "$b not found in $d: run scripts/toolchain first"
  done
}

# Is something listening on 127.0.0.1:PORT?
e2e_port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Prints a free port that is not in the list already given. Ports are taken below the
# kernel's ephemeral range (ip_local_port_range), so that outgoing connections made
# while the cluster starts cannot grab a port chosen for a listener.
e2e_free_port() {
  local p i taken=" $* " lo=32768 base=15000
  read -r lo _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
  ((lo - base > 1000)) || base=1024
  for i in $(seq 1 200); do
    p=$((base + RANDOM % (lo - base)))
    [[ "$taken" == *" $p "* ]] && continue
    e2e_port_busy "$p" || { echo "$p"; return 0; }
  done
  e2e_die "no free port found"
}

# e2e_start NAME CMD... : starts a component in its own session, logs to logs/NAME.log,
# records its PID in pids/NAME.pid.
e2e_start() {
  local name="$1"; shift
  mkdir -p "$E2E_LOGS" "$E2E_PIDS"
  setsid "$@" >"$E2E_LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$E2E_PIDS/$name.pid"
  e2e_log "started $name (pid $!)"
}

# alive = exists and is not a zombie (a zombie has released its ports and files)
e2e_pid_alive() {
  [[ -n "$1" ]] && kill -0 "$1" 2>/dev/null || return 1
  local st
  st="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || true)"
  [[ "$st" != Z ]]
}

e2e_component_alive() {
  local f="$E2E_PIDS/$1.pid"
  [[ -f "$f" ]] && e2e_pid_alive "$(cat "$f")"
}

# e2e_stop NAME [GRACE_SECONDS]: SIGTERM, wait, then SIGKILL. Only the recorded PID.
e2e_stop() {
  local name="$1" grace="${2:-15}" f="$E2E_PIDS/$1.pid" pid i
  [[ -f "$f" ]] || return 0
  pid="$(cat "$f")"
  if e2e_pid_alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < grace * 10; i++)); do
      e2e_pid_alive "$pid" || break
      sleep 0.1
    done
    if e2e_pid_alive "$pid"; then
      e2e_log "$name (pid $pid) still running after ${grace}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      for ((i = 0; i < 50; i++)); do e2e_pid_alive "$pid" || break; sleep 0.1; done
    fi
    e2e_log "stopped $name (pid $pid)"
  fi
  rm -f "$f"
}

# e2e_wait_for DESCRIPTION TIMEOUT_SECONDS CMD... : polls CMD once a second.
e2e_wait_for() {
  local what="$1" timeout="$2"; shift 2
  local start=$SECONDS c
  until "$@" >/dev/null 2>&1; do
    for c in "${E2E_COMPONENTS[@]}"; do
      if [[ -f "$E2E_PIDS/$c.pid" ]] && ! e2e_component_alive "$c"; then
        e2e_log "$c (pid $(cat "$E2E_PIDS/$c.pid")) exited while waiting for $what; see $E2E_LOGS/$c.log"
        return 1
      fi
    done
    if ((SECONDS - start >= timeout)); then
      e2e_log "timed out after ${timeout}s waiting for $what"
      return 1
    fi
    sleep 1
  done
  e2e_log "$what ready after $((SECONDS - start))s"
}

e2e_load_ports() {
  [[ -f "$E2E_DIR/ports.env" ]] || e2e_die "$E2E_DIR/ports.env not found: is the cluster up?"
  # shellcheck disable=SC1091
  source "$E2E_DIR/ports.env"
}

e2e_curl_api() { # PATH
  curl -sf --max-time 5 --cacert "$E2E_PKI/ca.crt" --cert "$E2E_PKI/admin.crt" --key "$E2E_PKI/admin.key" \
    "https://127.0.0.1:$KUBE_APISERVER_PORT$1"
}

e2e_kubectl() { kubectl --kubeconfig "$E2E_KUBECONFIG" "$@"; }
