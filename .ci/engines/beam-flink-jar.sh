#!/usr/bin/env bash
# Puts Beam's Flink job server jar where apache_beam's FlinkRunner looks for it,
# so that `--runner FlinkRunner --flink_master localhost:8081` never downloads:
#   $BEAM_JAR_CACHE/beam-runners-flink-<FLINK_MINOR>-job-server-<BEAM_VERSION>.jar
# (apache_beam JavaJarServer.local_jar: basename of the Maven Central URL
# under ~/.apache_beam/cache/jars, or under --jar_cache_dir when given).
#
# 1. Try the released jar with `mvn dependency:copy`.
# 2. If the registry does not serve it (the case here for every Beam release
#    tried), build the same jar with maven-shade from beam-runners-flink-<X>
#    and its dependencies (beam-flink-job-server/pom.xml), which are served
#    for Beam 2.62.0 / Flink 1.19.
#
# Env: BEAM_VERSION (2.62.0), FLINK_MINOR (1.19), BEAM_JAR_CACHE
# (~/.apache_beam/cache/jars), ENGINES_DIR (build dir), FORCE=1 to rebuild.
# Prints the jar path on stdout.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

BEAM_VERSION="${BEAM_VERSION:-2.62.0}"
FLINK_MINOR="${FLINK_MINOR:-1.19}"
BEAM_JAR_CACHE="${BEAM_JAR_CACHE:-$HOME/.apache_beam/cache/jars}"
ARTIFACT="beam-runners-flink-${FLINK_MINOR}-job-server"
JAR="$BEAM_JAR_CACHE/${ARTIFACT}-${BEAM_VERSION}.jar"
DEP_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

need_cmd java "install a JDK (17 works), e.g. apt-get install -y openjdk-17-jdk-headless"
need_cmd mvn "install Maven, e.g. apt-get install -y maven"

# A jar that `java` can open and that has the job server's main class.
PY="$(pick_python)"
jar_ok() {
  [ -s "$1" ] && "$PY" -c '
import sys, zipfile
try:
    names = zipfile.ZipFile(sys.argv[1]).namelist()
except Exception:
    sys.exit(1)
sys.exit(0 if "org/apache/beam/runners/flink/FlinkJobServerDriver.class" in names else 1)
' "$1"
}

if [ "${FORCE:-0}" != 1 ] && jar_ok "$JAR"; then
  log "already in place: $JAR"
  echo "$JAR"
  exit 0
fi
mkdir -p "$BEAM_JAR_CACHE"
work="$ENGINES_DIR/beam-flink-job-server"
mkdir -p "$work"

log "trying released org.apache.beam:$ARTIFACT:$BEAM_VERSION"
if mvn -B -q -U "$DEP_PLUGIN:copy" \
     -Dartifact="org.apache.beam:$ARTIFACT:$BEAM_VERSION:jar" \
     -DoutputDirectory="$work/released" >"$work/copy.log" 2>&1 \
   && jar_ok "$work/released/${ARTIFACT}-${BEAM_VERSION}.jar"; then
  cp "$work/released/${ARTIFACT}-${BEAM_VERSION}.jar" "$JAR.tmp"
  mv "$JAR.tmp" "$JAR"
  log "copied released jar to $JAR"
  echo "$JAR"
  exit 0
fi
log "released jar not served (see $work/copy.log); building it with maven-shade"

cp "$(dirname "${BASH_SOURCE[0]}")/beam-flink-job-server/pom.xml" "$work/pom.xml"
if ! (cd "$work" && mvn -B -q package \
        -Dbeam.version="$BEAM_VERSION" -Dflink.minor="$FLINK_MINOR" \
        >"$work/build.log" 2>&1); then
  grep -E 'ERROR' "$work/build.log" | head -20 >&2 || true
  die "building the job server jar failed (full log: $work/build.log);
  org.apache.beam:beam-runners-flink-$FLINK_MINOR:$BEAM_VERSION and its dependencies
  (notably beam-runners-java-job-service) must be resolvable from Maven Central"
fi
built="$work/target/beam-flink-job-server-1.jar"
jar_ok "$built" || die "built jar $built lacks FlinkJobServerDriver"
cp "$built" "$JAR.tmp"
mv "$JAR.tmp" "$JAR"
rm -rf "$work/target"
log "built and placed $JAR ($(du -h "$JAR" | cut -f1))"
echo "$JAR"
