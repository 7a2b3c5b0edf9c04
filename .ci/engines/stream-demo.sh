#!/usr/bin/env bash
# make stream-demo: start Kafka and Flink here, produce the bundled fixtures to a topic, run
# `scrubber stream` over it for a few windows, show the panes and their audits, and stop what it started.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"
export ENGINES_DIR="${ENGINES_DIR:-$repo/.engines}"
out="${STREAM_DEMO_DIR:-$repo/stream-demo}"
topic="gateway-demo"

cleanup() {
  "$here/kafka.sh" stop || true
  "$here/flink.sh" stop || true
}
trap cleanup EXIT

"$here/flink.sh" install
"$here/beam-flink-jar.sh" >/dev/null
"$here/kafka.sh" install
"$here/flink.sh" start
KAFKA_FRESH=1 "$here/kafka.sh" start
"$here/kafka.sh" topic "$topic" 2
bootstrap="$("$here/kafka.sh" env | sed -n 's/^KAFKA_BOOTSTRAP=//p')"

echo "[stream-demo] producing the lines of fixtures/logs/*.jsonl* to $topic" >&2
.venv/bin/python - "$bootstrap" "$topic" <<'PY'
import gzip, pathlib, sys
from confluent_kafka import Producer

bootstrap, topic = sys.argv[1:3]
producer = Producer({"bootstrap.servers": bootstrap})
n = 0
for path in sorted(pathlib.Path("fixtures/logs").glob("*.jsonl*")):
    lines = []
    try:  # one fixture is cut short on purpose: produce what can be read of it
        with (gzip.open(path) if path.suffix == ".gz" else path.open("rb")) as stream:
            for line in stream:
                lines.append(line.rstrip(b"\n"))
    except EOFError:
        pass
    for line in lines:
        if line.strip():
            producer.produce(topic, line)
            n += 1
            producer.poll(0)
producer.flush(30)
print(f"[stream-demo] produced {n} messages", file=sys.stderr)
PY

rm -rf "$out"
[ -f .scrubber-dev.key ] || .venv/bin/scrubber keygen --out .scrubber-dev.key
.venv/bin/scrubber stream --bootstrap-servers "$bootstrap" --topic "$topic" --group stream-demo \
  --window 10 --idle-grace 5 --stop-when-idle 10 \
  --output "$out/sandbox" --quarantine "$out/quarantine" --catalogue pseudonymous --key-file .scrubber-dev.key \
  --runner FlinkRunner --flink_master 127.0.0.1:8081 --flink_version 1.19 --environment_type LOOPBACK \
  --checkpointing_interval 5000 --parallelism 2

echo "[stream-demo] the panes (sandbox and quarantine):" >&2
(cd "$out" && find . -type f | sort)
echo "[stream-demo] their audits:" >&2
.venv/bin/python - "$out/sandbox" <<'PY'
import json, pathlib, sys

for path in sorted(pathlib.Path(sys.argv[1]).glob("window=*/pane-*/_audit.json")):
    audit = json.loads(path.read_text())
    offsets = ", ".join(f"{r['topic']}/{r['partition']} {r['first']}-{r['last']}" for r in audit["offsets"])
    print(f"{path.parent.relative_to(sys.argv[1])}: {audit['counts']} offsets {offsets} key {audit['key_id']}")
PY
