#!/usr/bin/env bash
# Throughput on mixed Arabic/English social text, side by side in one run:
# Safir normalize and analyze (release build), Lucene's ArabicAnalyzer (JVM warmed up),
# CAMeL Tools' normalization. MB/s per core = input bytes / thread CPU time.
# Usage: bench/text/speed.sh
source "$(dirname "$0")/setup.sh"

"$HARNESS" corpus "$DATA" "$WORK/corpus.txt"
"$HARNESS" speed "$WORK/corpus.txt"
"${JAVA[@]}" bench "$WORK/corpus.txt"
"$PY" "$(dirname "$0")/python/camel_ref.py" bench "$WORK/corpus.txt"
