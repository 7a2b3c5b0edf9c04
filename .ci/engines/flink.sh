#!/usr/bin/env bash
# A real Flink session cluster (JobManager + one TaskManager as separate
# processes) on loopback, REST on 127.0.0.1:$FLINK_REST_PORT (8081).
# Flink comes from the apache-flink PyPI package (it ships a full Flink
# distribution in pyflink/{bin,lib,conf}), installed in its own venv so that
# its pins (apache-beam 2.48, pyarrow 11, numpy 1.24) never meet the project's.
#
#   flink.sh install   venv + apache-flink==$FLINK_PY_VERSION, config under ENGINES_DIR
#   flink.sh start     start JM + TM, wait until /overview shows a TaskManager
#   flink.sh stop      stop both (pid files under ENGINES_DIR/flink/run)
#   flink.sh status    print /overview, exit 1 when not up
#
# Env: ENGINES_DIR, FLINK_PY_VERSION (1.19.3; must match the Beam job server's
# Flink minor, 1.19), FLINK_REST_PORT (8081), FLINK_SLOTS (4),
# FLINK_TM_MEMORY (4096m), FLINK_JM_MEMORY (1600m), JAVA_HOME (optional).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

FLINK_PY_VERSION="${FLINK_PY_VERSION:-1.19.3}"
FLINK_REST_PORT="${FLINK_REST_PORT:-8081}"
FLINK_SLOTS="${FLINK_SLOTS:-4}"
FLINK_TM_MEMORY="${FLINK_TM_MEMORY:-4096m}"
FLINK_JM_MEMORY="${FLINK_JM_MEMORY:-1600m}"

BASE="$ENGINES_DIR/flink"
VENV="$BASE/venv"
export FLINK_CONF_DIR="$BASE/conf"
export FLINK_LOG_DIR="$BASE/log"
export FLINK_PID_DIR="$BASE/run"
# flink-daemon.sh names pid files after $USER; CI may not set it.
export USER="${USER:-$(id -un)}"
REST="http://127.0.0.1:$FLINK_REST_PORT"

flink_home() {
  [ -x "$VENV/bin/python" ] || return 1
  "$VENV/bin/python" -c 'import os, pyflink; print(os.path.dirname(pyflink.__file__))' 2>/dev/null
}

installed_version() {
  "$VENV/bin/python" -c 'from importlib.metadata import version; print(version("apache-flink"))' 2>/dev/null
}

need_java() {
  if [ -n "${JAVA_HOME:-}" ]; then
    [ -x "$JAVA_HOME/bin/java" ] || die "JAVA_HOME=$JAVA_HOME has no bin/java"
  else
    need_cmd java "Flink needs Java 11 or 17: apt-get install -y openjdk-17-jre-headless, or set JAVA_HOME"
  fi
}

write_conf() {
  local home="$1"
  mkdir -p "$FLINK_CONF_DIR" "$FLINK_LOG_DIR" "$FLINK_PID_DIR" "$BASE/tmp"
  cp "$home/conf/log4j"*.properties "$home/conf/logback"*.xml "$FLINK_CONF_DIR/"
  # The JVM flags that the shipped config.yaml passes (add-opens for Java 17).
  local java_opts
  java_opts="$(sed -n 's/^ *all: *\(--add-.*\)$/\1/p' "$home/conf/config.yaml" | head -n1)"
  [ -n "$java_opts" ] || die "could not read env.java.opts.all from $home/conf/config.yaml"
  cat >"$FLINK_CONF_DIR/config.yaml" <<EOF
# Written by .ci/engines/flink.sh: a loopback-only session cluster.
env:
  java:
    opts:
      all: $java_opts
  log:
    dir: $FLINK_LOG_DIR
  pid:
    dir: $FLINK_PID_DIR
jobmanager:
  bind-host: 127.0.0.1
  rpc:
    address: 127.0.0.1
    port: 6123
  memory:
    process:
      size: $FLINK_JM_MEMORY
  execution:
    failover-strategy: region
taskmanager:
  bind-host: 127.0.0.1
  host: 127.0.0.1
  numberOfTaskSlots: $FLINK_SLOTS
  memory:
    process:
      size: $FLINK_TM_MEMORY
    # Beam's batch translation wants many network buffers per task; the
    # default (10% of 1728m) fails with "Insufficient number of network
    # buffers" already at parallelism 2 with one GroupByKey.
    network:
      fraction: 0.25
      min: 256m
      max: 1g
parallelism:
  default: 1
# A TaskManager killed by the crash tests is noticed within 10 s, not the default 50.
heartbeat:
  interval: 2000
  timeout: 10000
rest:
  address: 127.0.0.1
  bind-address: 127.0.0.1
  port: $FLINK_REST_PORT
blob:
  server:
    port: 0
io:
  tmp:
    dirs: $BASE/tmp
EOF
  echo "127.0.0.1:$FLINK_REST_PORT" >"$FLINK_CONF_DIR/masters"
  echo "127.0.0.1" >"$FLINK_CONF_DIR/workers"
}

cmd_install() {
  need_java
  local home
  if home="$(flink_home)" && [ "$(installed_version)" = "$FLINK_PY_VERSION" ]; then
    log "apache-flink $FLINK_PY_VERSION already installed in $VENV"
  else
    local py
    py="$(pick_python)"
    log "creating $VENV with $py and installing apache-flink==$FLINK_PY_VERSION (about 1 min)"
    rm -rf "$VENV"
    "$py" -m venv "$VENV" || die "python venv creation failed (apt-get install -y python3-venv?)"
    "$VENV/bin/pip" install -q --disable-pip-version-check "apache-flink==$FLINK_PY_VERSION" \
      || die "pip install apache-flink==$FLINK_PY_VERSION failed (it supports Python 3.8-3.11)"
    home="$(flink_home)" || die "pyflink not importable after install"
  fi
  [ -x "$home/bin/jobmanager.sh" ] || die "$home/bin/jobmanager.sh missing: apache-flink wheel without a Flink distribution?"
  write_conf "$home"
  log "installed: FLINK_HOME=$home, FLINK_CONF_DIR=$FLINK_CONF_DIR"
}

overview() { curl -sf --max-time 5 "$REST/overview"; }

tm_count() {
  overview | sed -n 's/.*"taskmanagers":\([0-9]*\).*/\1/p'
}

cmd_start() {
  need_java
  need_cmd curl "apt-get install -y curl"
  local home
  home="$(flink_home)" || die "Flink not installed under $VENV: run '$0 install' first"
  [ -f "$FLINK_CONF_DIR/config.yaml" ] || die "no $FLINK_CONF_DIR/config.yaml: run '$0 install' first"
  local jm_pid="$FLINK_PID_DIR/flink-$USER-standalonesession.pid"
  local tm_pid="$FLINK_PID_DIR/flink-$USER-taskexecutor.pid"
  if pid_alive "$jm_pid" && pid_alive "$tm_pid" && [ "$(tm_count)" = 1 ]; then
    log "already running at $REST"
    return 0
  fi
  # Half-started or stale: clean up what we own first.
  cmd_stop >/dev/null 2>&1 || true
  if port_in_use "$FLINK_REST_PORT"; then
    die "127.0.0.1:$FLINK_REST_PORT is already taken by a process this script did not start"
  fi
  local t0=$SECONDS
  "$home/bin/jobmanager.sh" start >&2
  "$home/bin/taskmanager.sh" start >&2
  local i
  for i in $(seq 1 120); do
    if [ "$(tm_count)" = 1 ]; then
      log "up at $REST with 1 TaskManager ($FLINK_SLOTS slots) after $((SECONDS - t0)) s"
      return 0
    fi
    pid_alive "$jm_pid" || break
    sleep 1
  done
  tail -n 30 "$FLINK_LOG_DIR"/*standalonesession*.log "$FLINK_LOG_DIR"/*taskexecutor*.log >&2 2>/dev/null || true
  cmd_stop || true
  die "Flink did not come up at $REST within 120 s (logs: $FLINK_LOG_DIR)"
}

cmd_stop() {
  local home f
  if home="$(flink_home)"; then
    "$home/bin/taskmanager.sh" stop-all >&2 || true
    "$home/bin/jobmanager.sh" stop-all >&2 || true
  fi
  # Whatever flink-daemon.sh could not stop.
  for f in "$FLINK_PID_DIR"/*.pid; do
    [ -e "$f" ] || continue
    local pid
    while read -r pid; do
      [[ "$pid" =~ ^[0-9]+$ ]] || continue
      if kill -0 "$pid" 2>/dev/null; then
        log "killing leftover pid $pid from $f"
        kill -KILL "$pid" 2>/dev/null || true
      fi
    done <"$f"
    rm -f "$f"
  done
  log "stopped"
}

# For the crash tests: kill -9 the TaskManager (as a machine failure would), then start a new one.
cmd_tm_kill() {
  local tm_pid="$FLINK_PID_DIR/flink-$USER-taskexecutor.pid" pid
  pid_alive "$tm_pid" || die "no TaskManager running (pid file $tm_pid)"
  pid="$(head -n1 "$tm_pid")"
  kill -KILL "$pid"
  rm -f "$tm_pid"
  log "killed TaskManager pid $pid with SIGKILL"
}

cmd_tm_start() {
  local home i t0=$SECONDS
  home="$(flink_home)" || die "Flink not installed under $VENV: run '$0 install' first"
  "$home/bin/taskmanager.sh" start >&2
  for i in $(seq 1 120); do
    if [ "$(tm_count)" -ge 1 ] 2>/dev/null; then
      log "a TaskManager is registered after $((SECONDS - t0)) s"
      return 0
    fi
    sleep 1
  done
  die "no TaskManager registered within 120 s (logs: $FLINK_LOG_DIR)"
}

cmd_status() {
  overview && echo || { log "not running at $REST"; return 1; }
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  tm-kill) cmd_tm_kill ;;
  tm-start) cmd_tm_start ;;
  *) die "usage: $0 {install|start|stop|status|tm-kill|tm-start}" ;;
esac
