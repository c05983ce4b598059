#!/usr/bin/env bash
# Two builds side by side on the officer queue (SQLite, 100,000 cases): both serve at once,
# each over its own copy of the same loaded data directory, and wrk alternates between them,
# so that a shared machine's drift in speed (a third within minutes on some) falls on both
# alike instead of on whichever ran second.
#
#   bench/consular/compare.sh BEFORE_BIN AFTER_BIN [ROUNDS] [SECONDS] [CONNECTIONS]
#
# Each round runs, for each build in turn, wrk against /healthz (the ceiling) and then the
# queue (GET /missions/PAR/cases, as the Paris consular officer). Prints each run, then per
# build: the mean server CPU per queue view, the mean queue req/s, the mean share of the
# ceiling (queue req/s over the /healthz req/s of the same round), the queue's p99 range and
# how many runs had a p99 of 20 ms or less. Loading the data is the same as run.sh's
# (bench/consular/gen_cases.py, then `safir migrate` with BEFORE_BIN); each build then
# migrates its own copy, so a build with a newer migration serves its own schema.
# SAFIR_COMPARE_AFTER_SQL, when set, is run on AFTER_BIN's copy once migrated: with the same
# binary twice, it measures a change of the schema alone (an index dropped, say).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -ge 2 ] || { sed -n '2,17p' "$0" >&2; exit 2; }
BINS=("$1" "$2")
ROUNDS="${3:-6}"
DURATION="${4:-5}"
CONNECTIONS="${5:-64}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

WORK=$(mktemp -d)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$WORK"' EXIT
export SAFIR_LOG_LEVEL=warn SAFIR_MAIL_TRANSPORT=file SAFIR_LOGIN_ATTEMPTS_PER_MINUTE=1000

SAFIR_DATA_DIR="$WORK/data" "${BINS[0]}" demo --seed-only > "$WORK/accounts.txt"
python3 bench/consular/gen_cases.py sqlite "$WORK/data/safir.db" >/dev/null
SAFIR_DATA_DIR="$WORK/data" "${BINS[0]}" migrate >/dev/null

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

BASES=() COOKIES=()
for i in 0 1; do
  cp -r "$WORK/data" "$WORK/data$i"
  SAFIR_DATA_DIR="$WORK/data$i" "${BINS[$i]}" migrate >/dev/null
  if [ "$i" = 1 ] && [ -n "${SAFIR_COMPARE_AFTER_SQL:-}" ]; then
    python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.close()' \
      "$WORK/data1/safir.db" "$SAFIR_COMPARE_AFTER_SQL"
  fi
  port=$(free_port)
  SAFIR_DATA_DIR="$WORK/data$i" SAFIR_BIND="127.0.0.1:$port" "${BINS[$i]}" serve \
    > "$WORK/server$i.log" 2>&1 &
  PIDS+=($!)
  BASES+=("http://127.0.0.1:$port")
  for _ in $(seq 100); do curl -sf "${BASES[$i]}/healthz" >/dev/null && break; sleep 0.1; done
  COOKIES+=("$(python3 bench/consular/sign_in.py "${BASES[$i]}" "$WORK/accounts.txt" \
    consul.paris@demo.safir.example)")
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: safir_session=${COOKIES[$i]}" \
    "${BASES[$i]}/missions/PAR/cases")
  [ "$code" = 200 ] || { echo "build $i: the queue answered $code" >&2; exit 1; }
done

# One wrk run: prints "build route req/s p99_ms cpu_us_per_request".
measure() {
  local i=$1 route=$2 url before after out
  shift 2
  url="${BASES[$i]}$route"
  before=$(awk '{print $14 + $15}' "/proc/${PIDS[$i]}/stat")
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s --latency "$@" "$url")
  after=$(awk '{print $14 + $15}' "/proc/${PIDS[$i]}/stat")
  # A build that answers errors (a lost session, a failing route) would look fast.
  if grep -qE 'Non-2xx|Socket errors' <<<"$out"; then
    echo "build $i: $route did not answer 2xx to every request:" >&2
    grep -E 'Non-2xx|Socket errors' <<<"$out" >&2
    exit 1
  fi
  awk -v i="$i" -v r="$route" -v b="$before" -v a="$after" -v hz="$(getconf CLK_TCK)" '
    /requests in/ {n = $1}
    /Requests\/sec/ {rps = $2}
    $1 == "99%" {p = $2; if (p ~ /us$/) p /= 1000; else if (p ~ /ms$/) p += 0; else p *= 1000}
    END {printf "%s %s %.0f %.2f %.1f\n", i, r, rps, p, 1e6 * (a - b) / hz / n}' <<<"$out"
}

echo "wrk -t2 -c$CONNECTIONS -d${DURATION}s, $(nproc) cores, $ROUNDS rounds; build 0: ${BINS[0]}, build 1: ${BINS[1]}"
echo "build route req/s p99_ms cpu_us"
for _ in $(seq "$ROUNDS"); do
  for i in 0 1; do
    measure "$i" /healthz
    measure "$i" /missions/PAR/cases -H "Cookie: safir_session=${COOKIES[$i]}"
  done
done | tee "$WORK/runs.txt"

awk '
  $2 == "/healthz" {ceiling[$1] = $3; next}
  {
    n[$1]++; rps[$1] += $3; cpu[$1] += $5; share[$1] += $3 / ceiling[$1]
    if (!($1 in lo) || $4 < lo[$1]) lo[$1] = $4
    if ($4 > hi[$1]) hi[$1] = $4
    if ($4 <= 20) ok[$1]++
  }
  END {
    for (i = 0; i <= 1; i++)
      printf "build %d: queue %.1f us of server CPU a view, %.0f req/s, %.1f%% of the ceiling, p99 %.2f-%.2f ms, p99 <= 20 ms in %d of %d runs\n",
        i, cpu[i] / n[i], rps[i] / n[i], 100 * share[i] / n[i], lo[i], hi[i], ok[i] + 0, n[i]
  }' "$WORK/runs.txt"
