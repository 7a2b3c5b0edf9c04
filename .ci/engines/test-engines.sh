#!/usr/bin/env bash
# make test-engines: install and start a real Flink session cluster, a real S3 server (SeaweedFS) and a
# real Kafka broker (KRaft), run the engine tests against them, and stop everything it started.
# A component that cannot be installed or started fails the target; nothing is skipped.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"
export ENGINES_DIR="${ENGINES_DIR:-$repo/.engines}"
t0=$SECONDS
stamp() { echo "[test-engines] $* ($((SECONDS - t0)) s)" >&2; }

cleanup() {
  "$here/flink.sh" stop || true
  "$here/seaweedfs.sh" stop || true
  "$here/kafka.sh" stop || true
}
trap cleanup EXIT

"$here/flink.sh" install;        stamp "Flink installed"
"$here/beam-flink-jar.sh" >/dev/null; stamp "Beam Flink job server jar in place"
"$here/seaweedfs.sh" install;    stamp "SeaweedFS built"
"$here/kafka.sh" install;        stamp "Kafka jars in place"
"$here/flink.sh" start;          stamp "Flink cluster up"
SEAWEEDFS_FRESH=1 "$here/seaweedfs.sh" start; stamp "SeaweedFS up"
KAFKA_FRESH=1 "$here/kafka.sh" start; stamp "Kafka up"

# Endpoint and credentials reach the tests through the environment, never a command line.
while IFS='=' read -r name value; do
  case "$name" in
    S3_ENDPOINT) export SCRUBBER_TEST_S3_ENDPOINT="$value" ;;
    S3_ACCESS_KEY) export AWS_ACCESS_KEY_ID="$value" ;;
    S3_SECRET_KEY) export AWS_SECRET_ACCESS_KEY="$value" ;;
    S3_REGION) export AWS_REGION="$value" AWS_DEFAULT_REGION="$value" ;;
  esac
done < <("$here/seaweedfs.sh" env)
export SCRUBBER_TEST_FLINK_MASTER="127.0.0.1:8081"
export SCRUBBER_TEST_KAFKA_BOOTSTRAP="$("$here/kafka.sh" env | sed -n 's/^KAFKA_BOOTSTRAP=//p')"

.venv/bin/python -m pytest -q -rA -m engines -p no:cacheprovider -s \
  tests/pipelines/test_engines.py tests/pipelines/test_kafka_read.py tests/pipelines/test_stream_engines.py
stamp "engine tests done"
