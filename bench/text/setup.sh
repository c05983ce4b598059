#!/usr/bin/env bash
# Installs and builds what the text harnesses need; sourced by correctness.sh and speed.sh.
# Work files go to target/bench-text (ignored by git).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="$ROOT/target/bench-text"
DATA="${SAFIR_SHARED_DATA:-$ROOT/../shared/data}"
mkdir -p "$WORK"

if ! dpkg -s liblucene8-java snowball-data >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq liblucene8-java snowball-data >/dev/null
fi
LUCENE_CP="$(ls /usr/share/java/lucene-core-8*.jar | head -1):$(ls /usr/share/java/lucene-analyzers-common-8*.jar | head -1)"
VOC="$(dpkg -L snowball-data | grep '/arabic/voc.txt')"
SNOWBALL_OUT="$(dpkg -L snowball-data | grep '/arabic/output.txt')"

if [ ! -x "$WORK/venv/bin/python" ]; then
  python3 -m venv "$WORK/venv"
  # camel_tools.utils needs only these of camel-tools' dependencies.
  "$WORK/venv/bin/pip" install -q --no-deps camel-tools==1.6.0
  "$WORK/venv/bin/pip" install -q six emoji 2>&1 \
    | grep -vE "camel-tools .* requires|dependency resolver|dependency conflicts" || true
fi
PY="$WORK/venv/bin/python"

mkdir -p "$WORK/java"
javac -cp "$LUCENE_CP" -d "$WORK/java" "$ROOT/bench/text/java/LuceneRef.java"
JAVA=(java -cp "$LUCENE_CP:$WORK/java" LuceneRef)

(cd "$ROOT/bench/text/harness" && CARGO_TARGET_DIR="$WORK/cargo" cargo build --release -q)
HARNESS="$WORK/cargo/release/safir-text-harness"
