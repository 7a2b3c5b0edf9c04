#!/usr/bin/env bash
# A real S3-compatible server: SeaweedFS (`weed server`: master + volume +
# filer + S3 gateway in one process), built from source with the Go module
# proxy, listening on 127.0.0.1 only, with one S3 identity from a JSON config.
#
#   seaweedfs.sh install   build ENGINES_DIR/bin/weed (about 5-10 min on 2 cores, once)
#   seaweedfs.sh start     start it, wait until S3 answers and a volume is writable
#   seaweedfs.sh stop      stop it (pid file ENGINES_DIR/seaweedfs/weed.pid)
#   seaweedfs.sh status    exit 0 when S3 answers
#   seaweedfs.sh env       print S3_ENDPOINT/S3_ACCESS_KEY/S3_SECRET_KEY lines
#
# Env: ENGINES_DIR, SEAWEEDFS_VERSION (Go module version), S3_PORT (8333),
# SEAWEEDFS_MASTER_PORT (9333), SEAWEEDFS_VOLUME_PORT (8080),
# SEAWEEDFS_FILER_PORT (8888) (each also uses port+10000 for gRPC),
# S3_ACCESS_KEY (scrubber), S3_SECRET_KEY (scrubber-secret),
# SEAWEEDFS_FRESH=1 to wipe stored data on start.
# After start, ENGINES_DIR/seaweedfs/s3.env holds the endpoint and keys.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

MODULE="github.com/seaweedfs/seaweedfs"
# The only version of the module that the Go proxy serves here (weed 4.53).
# `go install ...@version` refuses it (its go.mod has a replace directive), so
# it is built inside its own module directory instead.
SEAWEEDFS_VERSION="${SEAWEEDFS_VERSION:-v0.0.0-20261109003541-7506e5f91cd6}"
S3_PORT="${S3_PORT:-8333}"
MASTER_PORT="${SEAWEEDFS_MASTER_PORT:-9333}"
VOLUME_PORT="${SEAWEEDFS_VOLUME_PORT:-8080}"
FILER_PORT="${SEAWEEDFS_FILER_PORT:-8888}"
S3_ACCESS_KEY="${S3_ACCESS_KEY:-scrubber}"
S3_SECRET_KEY="${S3_SECRET_KEY:-scrubber-secret}"

BIN="$ENGINES_DIR/bin/weed"
STAMP="$ENGINES_DIR/bin/weed.version"
BASE="$ENGINES_DIR/seaweedfs"
PIDFILE="$BASE/weed.pid"
LOGFILE="$BASE/weed.log"
S3="http://127.0.0.1:$S3_PORT"

cmd_install() {
  if [ -x "$BIN" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$SEAWEEDFS_VERSION" ] \
     && "$BIN" version >/dev/null 2>&1; then
    log "already built: $BIN ($("$BIN" version | head -n1))"
    return 0
  fi
  need_cmd go "install Go >= 1.26 (the module needs go 1.26.6), e.g. from /usr/local/go/bin"
  mkdir -p "$ENGINES_DIR/bin"
  log "downloading $MODULE@$SEAWEEDFS_VERSION from the Go module proxy"
  local dir
  dir="$(go mod download -json "$MODULE@$SEAWEEDFS_VERSION" \
          | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')" \
    || die "go mod download $MODULE@$SEAWEEDFS_VERSION failed (is the Go module proxy reachable? GOPROXY=$(go env GOPROXY))"
  [ -n "$dir" ] && [ -f "$dir/go.mod" ] || die "module directory for $MODULE@$SEAWEEDFS_VERSION not found"
  log "building weed (about 5-10 min on 2 cores the first time; Go's build cache makes later builds fast)"
  local t0=$SECONDS
  # -mod=readonly: use the module's own go.mod/go.sum (the module cache is read-only).
  if ! (cd "$dir" && GOFLAGS="-mod=readonly -buildvcs=false" \
          go build -ldflags="-s -w" -o "$BIN.tmp" ./weed); then
    rm -f "$BIN.tmp"
    die "go build of $MODULE/weed@$SEAWEEDFS_VERSION failed"
  fi
  mv "$BIN.tmp" "$BIN"
  echo "$SEAWEEDFS_VERSION" >"$STAMP"
  log "built $BIN in $((SECONDS - t0)) s: $("$BIN" version | head -n1)"
}

s3_code() {
  curl -s -o /dev/null --max-time 3 -w '%{http_code}' "$S3/" 2>/dev/null || true
}

write_config() {
  mkdir -p "$BASE/data"
  (umask 077; : >"$BASE/s3.json"; : >"$BASE/s3.env")
  cat >"$BASE/s3.json" <<EOF
{
  "identities": [
    {
      "name": "scrubber",
      "credentials": [{"accessKey": "$S3_ACCESS_KEY", "secretKey": "$S3_SECRET_KEY"}],
      "actions": ["Admin", "Read", "Write", "List", "Tagging"]
    }
  ]
}
EOF
  cat >"$BASE/s3.env" <<EOF
S3_ENDPOINT=$S3
S3_ACCESS_KEY=$S3_ACCESS_KEY
S3_SECRET_KEY=$S3_SECRET_KEY
S3_REGION=us-east-1
EOF
}

cmd_start() {
  need_cmd curl "apt-get install -y curl"
  need_cmd setsid "apt-get install -y util-linux"
  [ -x "$BIN" ] || die "no $BIN: run '$0 install' first"
  if pid_alive "$PIDFILE" && [ "$(s3_code)" != 000 ]; then
    log "already running, S3 at $S3"
    return 0
  fi
  stop_pidfile "$PIDFILE" seaweedfs >/dev/null 2>&1 || true
  local p
  for p in "$S3_PORT" "$MASTER_PORT" "$VOLUME_PORT" "$FILER_PORT" \
           $((S3_PORT + 10000)) $((MASTER_PORT + 10000)) $((VOLUME_PORT + 10000)) $((FILER_PORT + 10000)); do
    port_in_use "$p" && die "127.0.0.1:$p is already taken by a process this script did not start"
  done
  [ "${SEAWEEDFS_FRESH:-0}" = 1 ] && rm -rf "$BASE/data"
  write_config
  local t0=$SECONDS
  # SENTRY_DSN empty: no error reporting; -master.telemetry=false: no usage
  # reports; iceberg/lance side ports off; everything bound to 127.0.0.1.
  SENTRY_DSN="" setsid "$BIN" server \
      -ip=127.0.0.1 -ip.bind=127.0.0.1 \
      -dir="$BASE/data" \
      -master.port="$MASTER_PORT" -master.telemetry=false -master.resumeState=false \
      -master.volumeSizeLimitMB=256 -volume.max=50 \
      -volume.port="$VOLUME_PORT" -volume.preStopSeconds=0 \
      -filer.port="$FILER_PORT" \
      -s3 -s3.port="$S3_PORT" -s3.config="$BASE/s3.json" \
      -s3.port.iceberg=0 -s3.port.lance=0 \
      >"$LOGFILE" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  local i assign
  for i in $(seq 1 120); do
    pid_alive "$PIDFILE" || { tail -n 30 "$LOGFILE" >&2; die "weed exited during start (log: $LOGFILE)"; }
    if [ "$(s3_code)" != 000 ]; then
      # S3 answers; now make sure a volume server has registered and takes writes.
      assign="$(curl -s --max-time 3 "http://127.0.0.1:$MASTER_PORT/dir/assign" || true)"
      if [[ "$assign" == *'"fid"'* ]]; then
        log "up after $((SECONDS - t0)) s: S3 at $S3 (keys in $BASE/s3.env)"
        return 0
      fi
    fi
    sleep 0.5
  done
  tail -n 30 "$LOGFILE" >&2
  stop_pidfile "$PIDFILE" seaweedfs || true
  die "SeaweedFS did not come up within 60 s (log: $LOGFILE)"
}

cmd_stop() {
  stop_pidfile "$PIDFILE" seaweedfs
}

cmd_status() {
  if pid_alive "$PIDFILE" && [ "$(s3_code)" != 000 ]; then
    log "running, S3 at $S3"
  else
    log "not running"
    return 1
  fi
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) write_config; cat "$BASE/s3.env" ;;
  *) die "usage: $0 {install|start|stop|status|env}" ;;
esac
