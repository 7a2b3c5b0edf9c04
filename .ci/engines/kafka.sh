#!/usr/bin/env bash
# A real Apache Kafka broker: one JVM in KRaft mode (broker and controller in
# one process, node.id 1), PLAINTEXT on 127.0.0.1:$KAFKA_PORT (9092) and the
# controller on 127.0.0.1:$KAFKA_CONTROLLER_PORT (9093). Kafka comes as jars
# from Maven Central (`mvn dependency:copy-dependencies` on kafka/pom.xml),
# nothing is built; the broker runs as `java -cp 'jars/*' kafka.Kafka`.
#
#   kafka.sh install             jars into ENGINES_DIR/kafka/jars (~10 s, once)
#   kafka.sh start               format storage once, start, wait until a metadata request answers
#   kafka.sh stop                stop it (pid file ENGINES_DIR/kafka/kafka.pid)
#   kafka.sh status              list the topics, exit 1 when not up
#   kafka.sh env                 print KAFKA_BOOTSTRAP=127.0.0.1:9092
#   kafka.sh topic NAME PARTS    create topic NAME (PARTS partitions, replication 1,
#                                message.timestamp.type=LogAppendTime); ok if it exists
#                                with PARTS partitions
#
# Env: ENGINES_DIR, KAFKA_VERSION (4.1.1), KAFKA_LOG4J_VERSION (2.24.3),
# KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_HEAP (512m),
# KAFKA_CLUSTER_ID (fixed, see below), KAFKA_START_TIMEOUT (90 s),
# KAFKA_FRESH=1 to wipe stored data on start, JAVA_HOME (optional; Java 17+).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

KAFKA_VERSION="${KAFKA_VERSION:-4.1.1}"
KAFKA_LOG4J_VERSION="${KAFKA_LOG4J_VERSION:-2.24.3}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_HEAP="${KAFKA_HEAP:-512m}"
# Fixed, so every run formats the same cluster: base64url of the 16 bytes
# "scrubber-ci-kfk1" (a Kafka Uuid is 16 bytes, written as 22 characters).
KAFKA_CLUSTER_ID="${KAFKA_CLUSTER_ID:-c2NydWJiZXItY2kta2ZrMQ}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
DEP_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BASE="$ENGINES_DIR/kafka"
JARS="$BASE/jars"
STAMP="$BASE/jars.version"
CONF="$BASE/conf"
DATA="$BASE/data"
LOGS="$BASE/logs"
PIDFILE="$BASE/kafka.pid"
OUTFILE="$LOGS/kafka.out"
BOOTSTRAP="127.0.0.1:$KAFKA_PORT"

JAVA=java
need_java() {
  if [ -n "${JAVA_HOME:-}" ]; then
    [ -x "$JAVA_HOME/bin/java" ] || die "JAVA_HOME=$JAVA_HOME has no bin/java"
    JAVA="$JAVA_HOME/bin/java"
  else
    need_cmd java "Kafka $KAFKA_VERSION needs Java 17+: apt-get install -y openjdk-17-jre-headless, or set JAVA_HOME"
  fi
  local v
  v="$("$JAVA" -version 2>&1 | sed -n 's/.* version "\([0-9]*\).*/\1/p' | head -n1)"
  [[ "$v" =~ ^[0-9]+$ ]] && [ "$v" -ge 17 ] \
    || die "Kafka $KAFKA_VERSION needs Java 17+, but $JAVA is version '${v:-unknown}' (set JAVA_HOME)"
}

stamp_text() {
  echo "kafka_2.13 $KAFKA_VERSION log4j $KAFKA_LOG4J_VERSION pom $(cksum <"$HERE/kafka/pom.xml" | cut -d' ' -f1)"
}

jars_ok() {
  [ "$(cat "$STAMP" 2>/dev/null)" = "$(stamp_text)" ] || return 1
  local j
  for j in "kafka_2.13-$KAFKA_VERSION" "kafka-clients-$KAFKA_VERSION" "kafka-tools-$KAFKA_VERSION" \
           "log4j-core-$KAFKA_LOG4J_VERSION" "log4j-slf4j-impl-$KAFKA_LOG4J_VERSION"; do
    [ -s "$JARS/$j.jar" ] || return 1
  done
}

cmd_install() {
  need_java
  if jars_ok; then
    log "already installed: Kafka $KAFKA_VERSION, $(ls "$JARS" | wc -l) jars in $JARS"
    write_config
    return 0
  fi
  need_cmd mvn "install Maven, e.g. apt-get install -y maven"
  local work="$BASE/build"
  rm -rf "$work" "$JARS.tmp"
  mkdir -p "$work"
  cp "$HERE/kafka/pom.xml" "$work/pom.xml"
  log "fetching org.apache.kafka:kafka_2.13:$KAFKA_VERSION + kafka-tools + log4j $KAFKA_LOG4J_VERSION from Maven Central"
  local t0=$SECONDS
  if ! (cd "$work" && mvn -B -q "$DEP_PLUGIN:copy-dependencies" \
          -Dkafka.version="$KAFKA_VERSION" -Dlog4j.version="$KAFKA_LOG4J_VERSION" \
          -DincludeScope=runtime -DoutputDirectory="$JARS.tmp" \
          >"$work/mvn.log" 2>&1); then
    grep -E 'ERROR' "$work/mvn.log" | head -20 >&2 || true
    rm -rf "$JARS.tmp"
    die "mvn dependency:copy-dependencies failed (full log: $work/mvn.log);
  org.apache.kafka:kafka_2.13:$KAFKA_VERSION, kafka-tools:$KAFKA_VERSION and
  org.apache.logging.log4j:log4j-slf4j-impl:$KAFKA_LOG4J_VERSION must be resolvable from Maven Central"
  fi
  rm -rf "$JARS"
  mv "$JARS.tmp" "$JARS"
  stamp_text >"$STAMP"
  jars_ok || die "jars in $JARS lack kafka_2.13-$KAFKA_VERSION.jar, kafka-tools or log4j (see $work/mvn.log)"
  rm -rf "$work"
  write_config
  log "installed Kafka $KAFKA_VERSION in $((SECONDS - t0)) s: $(ls "$JARS" | wc -l) jars, $(du -sh "$JARS" | cut -f1) in $JARS"
}

write_config() {
  mkdir -p "$CONF" "$LOGS"
  cat >"$CONF/server.properties" <<EOF
# Written by .ci/engines/kafka.sh: one KRaft node (broker + controller), loopback only.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA
# One node: every internal topic with replication 1, and few partitions so
# that the first consumer group and the first transaction start fast.
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
share.coordinator.state.topic.num.partitions=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
delete.topic.enable=true
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
EOF
  # Broker log: one file under logs/, rolled at 50 MB.
  cat >"$CONF/log4j2.properties" <<EOF
status = warn
name = kafka-broker
appender.file.type = RollingFile
appender.file.name = FILE
appender.file.fileName = $LOGS/server.log
appender.file.filePattern = $LOGS/server.log.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 50MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 3
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.request.name = kafka.request.logger
logger.request.level = WARN
EOF
  # Command-line tools (TopicCommand, console producer/consumer): warnings to stderr.
  cat >"$CONF/tools-log4j2.properties" <<EOF
status = warn
name = kafka-tools
appender.err.type = Console
appender.err.name = STDERR
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.err.ref = STDERR
EOF
  # Admin client settings for the tools: fail within seconds, not after 60 s.
  cat >"$CONF/admin.properties" <<EOF
request.timeout.ms=5000
default.api.timeout.ms=10000
EOF
}

# kafka_tool CLASS ARGS...: run one of Kafka's command-line classes from the
# jars, killed after 60 s should it hang.
kafka_tool() {
  local cls="$1"; shift
  timeout 60 "$JAVA" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$CONF/tools-log4j2.properties" \
    -cp "$JARS/*" "$cls" "$@"
}

# list_topics: the topic names; fails when the broker does not answer a
# metadata request within the admin client's 10 s.
list_topics() {
  kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" \
    --command-config "$CONF/admin.properties" --list
}

cmd_start() {
  need_java
  need_cmd setsid "apt-get install -y util-linux"
  need_cmd timeout "apt-get install -y coreutils"
  jars_ok || die "Kafka $KAFKA_VERSION not installed in $JARS: run '$0 install' first"
  if pid_alive "$PIDFILE" && port_in_use "$KAFKA_PORT"; then
    log "already running, bootstrap $BOOTSTRAP"
    return 0
  fi
  stop_pidfile "$PIDFILE" kafka >/dev/null 2>&1 || true
  local p
  for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    port_in_use "$p" && die "127.0.0.1:$p is already taken by a process this script did not start"
  done
  write_config
  if [ "${KAFKA_FRESH:-0}" = 1 ]; then
    log "KAFKA_FRESH=1: wiping $DATA"
    rm -rf "$DATA"
  fi
  if [ ! -f "$DATA/meta.properties" ]; then
    mkdir -p "$DATA"
    kafka_tool kafka.tools.StorageTool format --ignore-formatted \
        -t "$KAFKA_CLUSTER_ID" -c "$CONF/server.properties" >"$LOGS/format.log" 2>&1 \
      || { cat "$LOGS/format.log" >&2; die "formatting $DATA failed (cluster id $KAFKA_CLUSTER_ID)"; }
    log "formatted $DATA (cluster id $KAFKA_CLUSTER_ID)"
  else
    log "keeping $DATA ($(sed -n 's/^cluster.id=//p' "$DATA/meta.properties")); KAFKA_FRESH=1 wipes it"
  fi
  local t0=$SECONDS
  # This run's log alone in server.log (the one before in server.log.prev).
  [ -s "$LOGS/server.log" ] && mv -f "$LOGS/server.log" "$LOGS/server.log.prev"
  : >"$OUTFILE"
  setsid "$JAVA" -Xmx"$KAFKA_HEAP" \
      -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
      -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true \
      -Dlog4j2.configurationFile="$CONF/log4j2.properties" -Dkafka.logs.dir="$LOGS" \
      -cp "$JARS/*" kafka.Kafka "$CONF/server.properties" \
      >>"$OUTFILE" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  while [ $((SECONDS - t0)) -lt "$KAFKA_START_TIMEOUT" ]; do
    if ! pid_alive "$PIDFILE"; then
      tail -n 30 "$OUTFILE" "$LOGS/server.log" >&2 2>/dev/null || true
      rm -f "$PIDFILE"
      die "kafka exited during start (logs: $LOGS)"
    fi
    # The port opens before the broker has caught up with its metadata; a
    # topic listing (a metadata request through the admin client) is the test.
    if port_in_use "$KAFKA_PORT" && list_topics >/dev/null 2>&1; then
      log "up after $((SECONDS - t0)) s: bootstrap $BOOTSTRAP (logs: $LOGS)"
      return 0
    fi
    sleep 0.5
  done
  tail -n 30 "$OUTFILE" "$LOGS/server.log" >&2 2>/dev/null || true
  stop_pidfile "$PIDFILE" kafka || true
  die "Kafka did not answer at $BOOTSTRAP within $KAFKA_START_TIMEOUT s (logs: $LOGS)"
}

cmd_stop() {
  stop_pidfile "$PIDFILE" kafka
}

cmd_status() {
  need_java
  local out
  if pid_alive "$PIDFILE" && port_in_use "$KAFKA_PORT" && out="$(list_topics 2>/dev/null)"; then
    log "running, bootstrap $BOOTSTRAP, topics: $(echo $out)"
  else
    log "not running at $BOOTSTRAP"
    return 1
  fi
}

cmd_topic() {
  local name="${1:-}" parts="${2:-}"
  [[ "$name" =~ ^[A-Za-z0-9._-]{1,249}$ ]] || die "usage: $0 topic NAME PARTITIONS (NAME of [A-Za-z0-9._-], got '$name')"
  [[ "$parts" =~ ^[1-9][0-9]*$ ]] || die "usage: $0 topic NAME PARTITIONS (PARTITIONS a positive number, got '$parts')"
  need_java
  jars_ok || die "Kafka $KAFKA_VERSION not installed in $JARS: run '$0 install' first"
  pid_alive "$PIDFILE" && port_in_use "$KAFKA_PORT" || die "Kafka is not running at $BOOTSTRAP: run '$0 start' first"
  local out
  out="$(kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" \
           --command-config "$CONF/admin.properties" \
           --create --if-not-exists --topic "$name" --partitions "$parts" --replication-factor 1 \
           --config message.timestamp.type=LogAppendTime 2>&1)" \
    || { echo "$out" >&2; die "creating topic '$name' failed"; }
  if [[ "$out" == *"Created topic"* ]]; then
    log "created topic $name ($parts partitions, LogAppendTime)"
    return 0
  fi
  # It existed already: fine when it has the partitions asked for.
  local have
  have="$(kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" \
            --command-config "$CONF/admin.properties" --describe --topic "$name" 2>&1 \
          | sed -n 's/.*PartitionCount: *\([0-9]*\).*/\1/p' | head -n1)"
  [ -n "$have" ] || die "topic '$name' was not created and cannot be described: $out"
  [ "$have" = "$parts" ] \
    || die "topic '$name' already exists with $have partitions, not $parts (KAFKA_FRESH=1 $0 start wipes all topics)"
  log "topic $name already exists ($have partitions)"
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) echo "KAFKA_BOOTSTRAP=$BOOTSTRAP" ;;
  topic) shift; cmd_topic "$@" ;;
  *) die "usage: $0 {install|start|stop|status|env|topic NAME PARTITIONS}" ;;
esac
