# Shared helpers for the engine scripts in .ci/engines/. Sourced, not run.
# State (venvs, binaries, configs, data, logs, pid files) lives under
# ENGINES_DIR, default <repo>/.engines (git-ignored). Everything listens on
# loopback only.

ENGINES_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ENGINES_DIR="${ENGINES_DIR:-$ENGINES_REPO_ROOT/.engines}"
mkdir -p "$ENGINES_DIR"
ENGINES_DIR="$(cd "$ENGINES_DIR" && pwd)"
export ENGINES_DIR

_engine_name="$(basename "$0" .sh)"

log() { echo "[$_engine_name] $*" >&2; }
die() { echo "[$_engine_name] ERROR: $*" >&2; exit 1; }

# need_cmd CMD HINT: fail loudly when a required program is missing.
need_cmd() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' not found on PATH: $2"
}

# The Python used to create venvs: PYTHON, else python3.11, else python3.
pick_python() {
  local py
  for py in "${PYTHON:-}" python3.11 python3; do
    [ -n "$py" ] || continue
    if command -v "$py" >/dev/null 2>&1; then command -v "$py"; return 0; fi
  done
  die "no python3 found (set PYTHON=/path/to/python3.11)"
}

# pid_alive PIDFILE: true when the file names a live process.
pid_alive() {
  local pid
  [ -s "$1" ] || return 1
  pid="$(head -n1 "$1")"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null
}

# stop_pidfile PIDFILE NAME: TERM the process group (the process was started
# with setsid, so its group is its own), wait up to 30 s, then KILL.
stop_pidfile() {
  local pidfile="$1" name="$2" pid i
  if ! pid_alive "$pidfile"; then
    rm -f "$pidfile"
    log "$name not running"
    return 0
  fi
  pid="$(head -n1 "$pidfile")"
  log "stopping $name (pid $pid)"
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name did not stop after 30 s, killing"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

# port_in_use PORT: true when something listens on 127.0.0.1:PORT.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
