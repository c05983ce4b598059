#!/usr/bin/env bash
# HTTP throughput and latency of the consular pages over 100,000 cases, side by side with the
# cheapest route in the same binary (/healthz) as this machine's ceiling, in one run.
#
#   bench/consular/run.sh [DURATION_SECONDS] [CONNECTIONS]
#
# Needs wrk (Debian package `wrk`, installed if missing), python3 and, for the PostgreSQL half,
# psql. Builds a release binary, seeds the demo ministry, loads 100,000 cases with their
# history (bench/consular/gen_cases.py), signs in as the Paris consular officer (password +
# TOTP) and as the demo citizen, then runs wrk against:
#   ceiling  GET /healthz                     (same middleware stack, no handler work)
#   asset    GET /static/<hash>/vendor/htmx.min.js  (52 KB from memory: what sending a body
#                                             the size of the queue page costs here, for scale)
#   queue    GET /missions/PAR/cases          (officer queue, default filters; audits the view)
#   queue-gz the queue as a browser asks for it (Accept-Encoding: gzip, Sec-Fetch-Site:
#            same-origin): gzipped as it leaves, about 7 KB instead of 45
#   status   GET /account/cases/<case>        (the citizen's status page: case, history, messages)
# on SQLite (the embedded default, in a temporary directory), then on PostgreSQL when
# $SAFIR_BENCH_POSTGRES (default postgres://postgres@127.0.0.1:5432) answers: the database
# safir_bench_consular is dropped and created afresh there. $SAFIR_BENCH_BIN runs a given
# binary instead of building one (to compare two builds). Each wrk run repeats one URL, so with
# the consular read cache on (the default) it measures pages served from memory;
# SAFIR_READ_CACHE_SECONDS=0 measures them read from the database on every request.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION="${1:-15}"
CONNECTIONS="${2:-64}"
PG_SERVER="${SAFIR_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432}"
PG_DB=safir_bench_consular
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

if [ -n "${SAFIR_BENCH_BIN:-}" ]; then
  BIN=$SAFIR_BENCH_BIN
else
  cargo build --release -q -p safir
  BIN=target/release/safir
fi
WORK=$(mktemp -d)
SERVER=
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
export SAFIR_BIND="127.0.0.1:$PORT" SAFIR_LOG_LEVEL=warn SAFIR_MAIL_TRANSPORT=file
# The benchmark client is one address: lift the per-address sign-in limit for this run only.
export SAFIR_LOGIN_ATTEMPTS_PER_MINUTE=1000

# CPU time (clock ticks) used so far by the server process and by all PostgreSQL processes:
# the cost of a request, which other work on a shared machine disturbs less than req/s.
cpu_ticks() {
  local server=0 pg=0
  server=$(awk '{print $14 + $15}' "/proc/$SERVER/stat")
  pg=$(cat /proc/[0-9]*/stat 2>/dev/null | awk '$2 == "(postgres)" {t += $14 + $15} END {print t + 0}')
  echo "$server $pg"
}

run() {
  local name=$1 ceiling=$2; shift 2
  local out rps p99 non2xx timeouts share before after requests cost
  before=$(cpu_ticks)
  # A long timeout: a slow page is measured, not dropped from the latency figures.
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s --latency "$@")
  after=$(cpu_ticks)
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  cost=$(awk -v b="$before" -v a="$after" -v n="$requests" -v hz="$(getconf CLK_TCK)" 'BEGIN {
    split(b, x, " "); split(a, y, " ");
    printf "cpu/req: server %.1f us, postgres %.1f us", 1e6 * (y[1] - x[1]) / hz / n, 1e6 * (y[2] - x[2]) / hz / n }')
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  timeouts=$(awk '/Socket errors/ {print $NF}' <<<"$out")
  share=$(awk -v r="$rps" -v c="${ceiling:-$rps}" 'BEGIN {printf "%.0f%%", 100 * r / c}')
  printf '%-8s %10s req/s   p99 %8s   %5s of ceiling   non-2xx %s   timeouts %s   %s\n' \
    "$name" "$rps" "$p99" "$share" "${non2xx:-0}" "${timeouts:-0}" "$cost"
  LAST_RPS=$rps
}

expect_200() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' "$@")
  [ "$code" = 200 ] || { echo "expected 200 from $*, got $code" >&2; exit 1; }
}

bench() {
  local backend=$1 dir="$WORK/$1"
  mkdir -p "$dir"
  export SAFIR_DATA_DIR="$dir/data"
  $BIN demo --seed-only > "$dir/accounts.txt"
  local started=$SECONDS status_case
  if [ "$backend" = sqlite ]; then
    status_case=$(python3 bench/consular/gen_cases.py sqlite "$dir/data/safir.db" | awk '/^status_case/ {print $2}')
  else
    status_case=$(python3 bench/consular/gen_cases.py postgres "$SAFIR_DATABASE_URL" | awk '/^status_case/ {print $2}')
  fi
  echo "$backend: loaded in $((SECONDS - started)) s"
  # The loader writes no name search keys: migrating fills them in (migration 0018), here
  # rather than while the server starts.
  $BIN migrate >/dev/null
  if [ "$backend" = postgres ]; then
    # Filling the keys rewrote every case and user. Autovacuum would vacuum them soon after,
    # but it may be off on a benchmark machine (`SHOW autovacuum`): without a vacuum the
    # per-state counts read every case's row instead of the index alone (18 ms becomes 80 ms
    # under load), and the queue measures that one-off state instead of the steady one.
    psql "$SAFIR_DATABASE_URL" -q -c "VACUUM ANALYZE"
  fi
  $BIN serve > "$dir/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 100); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done

  local officer citizen
  officer=$(python3 bench/consular/sign_in.py "$BASE" "$dir/accounts.txt" consul.paris@demo.safir.example)
  citizen=$(python3 bench/consular/sign_in.py "$BASE" "$dir/accounts.txt" citizen@demo.safir.example)
  local queue_url="$BASE/missions/PAR/cases" status_url="$BASE/account/cases/$status_case"
  expect_200 "$BASE/healthz"
  expect_200 -H "Cookie: safir_session=$officer" "$queue_url"
  curl -s -o /dev/null -D - -H "Cookie: safir_session=$officer" -H "Accept-Encoding: gzip" \
    -H "Sec-Fetch-Site: same-origin" "$queue_url" | grep -qi '^content-encoding: gzip' \
    || { echo "the queue was not gzipped for a browser's request" >&2; exit 1; }
  expect_200 -H "Cookie: safir_session=$citizen" "$status_url"

  echo "wrk -t2 -c$CONNECTIONS -d${DURATION}s, $(nproc) cores, release build, $backend, consular read cache ${SAFIR_READ_CACHE_SECONDS:-2} s"
  run ceiling "" "$BASE/healthz"
  local ceiling=$LAST_RPS
  local asset_path
  asset_path=$(curl -s "$BASE/" | grep -o '/static/[^"]*/vendor/htmx\.min\.js' | head -n 1)
  expect_200 "$BASE$asset_path"
  run asset "$ceiling" "$BASE$asset_path"
  run queue "$ceiling" -H "Cookie: safir_session=$officer" "$queue_url"
  run queue-gz "$ceiling" -H "Cookie: safir_session=$officer" -H "Accept-Encoding: gzip" \
    -H "Sec-Fetch-Site: same-origin" "$queue_url"
  run status "$ceiling" -H "Cookie: safir_session=$citizen" "$status_url"

  kill "$SERVER"
  wait "$SERVER" 2>/dev/null || true
  SERVER=
}

bench sqlite

if psql "$PG_SERVER/postgres" -qAtc 'SELECT 1' >/dev/null 2>&1; then
  psql "$PG_SERVER/postgres" -q -c "DROP DATABASE IF EXISTS $PG_DB" -c "CREATE DATABASE $PG_DB"
  export SAFIR_DATABASE_URL="$PG_SERVER/$PG_DB"
  $BIN migrate >/dev/null
  bench postgres
else
  echo "postgres: not reachable at $PG_SERVER, skipped"
fi
