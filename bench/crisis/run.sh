#!/usr/bin/env bash
# Crisis response at scale: 1,000,000 registrations across 200 countries, an alert whose
# polygon (around Khartoum) matches 100,000 of them, on SQLite and on PostgreSQL.
#
#   bench/crisis/run.sh [REGISTRATIONS] [MATCHED] [DURATION_SECONDS]
#
# Measures, each side by side with this machine's ceiling in the same run:
#   fan-out   the `crisis.fanout` job: audience resolved and one delivery row + one check-in
#             per matched person written and their delivery jobs enqueued
#             — ceiling: a bare insert of the same number of delivery-shaped rows
#   email     delivery to a loopback SMTP server (bench_smtp_sink sink: streams DATA, keeps
#             counts, Message-IDs and the first 20,000 links), Safir's `crisis.deliver` jobs
#             with the per-channel rate limit lifted, from the first to the last message
#             — ceilings, each against a fresh sink: the same SMTP client Safir uses
#             (safir_notify::Mailer, as many connections as the server's delivery workers)
#             with no database, and a bare client pipelining MAIL/RCPT/DATA (the sink's own)
#   check-in  POST /crisis/checkin/<token> answers (wrk, random personal links)
#             — ceiling: GET /healthz on the same server
#   memory    the server's peak resident memory (VmHWM) over the whole run
#
# Needs python3, wrk (Debian package, installed if missing) and psql for PostgreSQL
# ($SAFIR_BENCH_POSTGRES, default postgres://postgres@127.0.0.1:5432; database
# safir_bench_crisis dropped and created afresh). SAFIR_BENCH_BACKENDS="sqlite" or
# "postgres" runs one backend only. Builds release binaries.
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-1000000}"
MATCH="${2:-100000}"
DURATION="${3:-15}"
PG_SERVER="${SAFIR_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432}"
PG_DB=safir_bench_crisis
# Which backends to run (SAFIR_BENCH_BACKENDS="postgres" for one), both by default.
BACKENDS="${SAFIR_BENCH_BACKENDS:-sqlite postgres}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

cargo build --release -q -p safir --bin safir --example bench_smtp_sink
# SAFIR_BENCH_BIN: another build of the server to measure instead (a before/after comparison).
BIN="${SAFIR_BENCH_BIN:-target/release/safir}"
SMTP=target/release/examples/bench_smtp_sink
# The server's delivery workers and SMTP connections (crisis.delivery_concurrency, default).
CONNECTIONS=32
HERE=bench/crisis
WORK=$(mktemp -d)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now_ms() { date +%s%3N; }
python3 "$HERE/gen_registrations.py" polygon >"$WORK/polygon.json"

cat >"$WORK/answer.lua" <<'LUA'
local links = {}
for line in io.lines(os.getenv("LINKS")) do links[#links + 1] = line end
local answers = { "safe", "need_help", "not_in_area" }
local n = 0
request = function()
  n = n + 1
  local link = links[math.random(#links)]
  -- Mostly "safe": a "need help" answer opens a consular case, which a real crisis sees for a
  -- minority of people.
  local answer = (n % 50 == 0) and answers[2] or answers[1]
  return wrk.format("POST", link, { ["Content-Type"] = "application/x-www-form-urlencoded" },
    "answer=" .. answer .. "&note=&lat=&lon=")
end
LUA

wrk_run() {
  local out
  out=$(wrk -t2 -c64 -d"${DURATION}s" --timeout 10s --latency "$@")
  RPS=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  P99=$(awk '$1=="99%" {print $2}' <<<"$out")
  NON2XX=$(awk '/Non-2xx/ {print $5}' <<<"$out")
}

bench_backend() {
  local name=$1 url=$2 dir=$3
  echo "== $name: $N registrations, $MATCH in the polygon"
  export SAFIR_DATA_DIR="$dir" SAFIR_DATABASE_URL="$url" SAFIR_LOG_LEVEL=warn
  "$BIN" migrate >/dev/null
  local t0 t1
  t0=$(now_ms)
  if [ "$name" = sqlite ]; then
    python3 "$HERE/gen_registrations.py" sqlite "${url#sqlite://}" "$N" "$MATCH"
  else
    python3 "$HERE/gen_registrations.py" postgres "$N" "$MATCH" | psql -q -v ON_ERROR_STOP=1 "$url" >/dev/null
    psql -q "$url" -c "ANALYZE" >/dev/null
  fi
  t1=$(now_ms)
  echo "seeded in $(( (t1 - t0) / 1000 )) s"
  local ceiling
  ceiling=$(python3 "$HERE/db.py" "$url" ceiling "$MATCH")

  # The SMTP server, then Safir with the sending rate limit lifted.
  "$SMTP" sink "$WORK/links-$name.txt" >"$WORK/sink-$name.out" &
  local sink=$!
  PIDS+=("$sink")
  sleep 0.5
  local smtp_port port
  smtp_port=$(head -1 "$WORK/sink-$name.out")
  port=$(free_port)
  SAFIR_BIND="127.0.0.1:$port" SAFIR_MAIL_TRANSPORT=smtp SAFIR_SMTP_HOST=127.0.0.1 \
    SAFIR_SMTP_PORT="$smtp_port" SAFIR_EMAIL_PER_SECOND=100000 SAFIR_PUBLIC_URL="http://127.0.0.1:$port" \
    SAFIR_LOG="warn,safir_web::crisis::alerts::fanout=debug,safir_store::crisis::checkins=debug" \
    "$BIN" serve >"$WORK/server-$name.log" 2>&1 &
  local server=$!
  PIDS+=("$server")
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done

  local alert="bench-alert-$name"
  t0=$(now_ms)
  python3 "$HERE/db.py" "$url" seed-alert "$alert" "$WORK/polygon.json"
  local done_sql="SELECT count(*) FROM jobs WHERE kind = 'crisis.fanout' AND state = 'done'"
  until [ "$(python3 "$HERE/db.py" "$url" count "$done_sql")" = 1 ]; do sleep 0.1; done
  t1=$(now_ms)
  local fanout_ms=$((t1 - t0))
  local rows
  rows=$(python3 "$HERE/db.py" "$url" count "SELECT count(*) FROM crisis_deliveries WHERE alert_id = '$alert'")
  printf 'fan-out   %6.2f s for %s deliveries   ceiling (bare insert) %6s s\n' \
    "$(awk -v m="$fanout_ms" 'BEGIN{print m/1000}')" "$rows" "$ceiling"
  # Where the fan-out spent its time (the job's debug log; check-in steps summed over batches).
  sed -n 's/.*fan-out steps /  steps: /p' "$WORK/server-$name.log"
  awk '/check-in batch steps/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] ~ /_us$/) t[kv[1]] += kv[2] } }
    END { printf "  check-in steps:"; for (k in t) printf " %s=%d", substr(k, 1, length(k) - 3) "_ms", t[k] / 1000; print "" }' \
    "$WORK/server-$name.log"

  # Delivery: from the first to the last message at the SMTP server, which prints once a
  # second "<elapsed ms> <messages> <distinct Message-IDs> <first ms> <last ms>".
  local count=0 distinct first last
  while :; do
    read -r _ count distinct first last < <(tail -1 "$WORK/sink-$name.out")
    [ "${count:-0}" -ge "$MATCH" ] 2>/dev/null && break
    sleep 1
  done
  local rate
  rate=$(awk -v n="$count" -v a="$first" -v b="$last" 'BEGIN{d = (b - a) / 1000; printf "%.0f", (d > 0 ? (n - 1) / d : n)}')
  # The ceilings, each against a fresh sink.
  ceiling_blast() {
    "$SMTP" sink >"$WORK/sink2-$name.out" &
    local sink2=$!
    PIDS+=("$sink2")
    sleep 0.5
    "$SMTP" "$1" "$(head -1 "$WORK/sink2-$name.out")" "$MATCH" "$CONNECTIONS" | awk '{print $(NF-1)}'
    kill "$sink2"
    wait "$sink2" 2>/dev/null || true
  }
  local mailer raw
  mailer=$(ceiling_blast lettre)
  raw=$(ceiling_blast raw)
  printf 'email     %6s msg/s (%s received, %s distinct)   ceilings: Mailer, no database %s msg/s; bare pipelined client %s msg/s\n' \
    "$rate" "$count" "$distinct" "$mailer" "$raw"

  # Check-in answers on the personal links the SMTP server received.
  kill -INT "$sink"
  wait "$sink" || true
  local links=$WORK/links-$name.txt
  [ -s "$links" ] || { echo "no check-in links received" >&2; exit 1; }
  LINKS="$links" wrk_run -s "$WORK/answer.lua" "http://127.0.0.1:$port"
  local rps=$RPS p99=$P99 non2xx=${NON2XX:-0}
  wrk_run "http://127.0.0.1:$port/healthz"
  printf 'check-in  %8s req/s p99 %s non-2xx %s   ceiling (/healthz) %s req/s\n' "$rps" "$p99" "$non2xx" "$RPS"
  local hwm
  hwm=$(awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$server/status")
  echo "memory    peak resident ${hwm} MB"
  kill "$server"
  wait "$server" 2>/dev/null || true
}

if [[ " $BACKENDS " == *" sqlite "* ]]; then
  mkdir -p "$WORK/sqlite"
  bench_backend sqlite "sqlite://$WORK/sqlite/safir.db" "$WORK/sqlite"
fi
if [[ " $BACKENDS " != *" postgres "* ]]; then
  :
elif psql -q "$PG_SERVER/postgres" -c "DROP DATABASE IF EXISTS $PG_DB" 2>/dev/null \
  && psql -q "$PG_SERVER/postgres" -c "CREATE DATABASE $PG_DB" >/dev/null; then
  mkdir -p "$WORK/pg"
  bench_backend postgres "$PG_SERVER/$PG_DB" "$WORK/pg"
  psql -q "$PG_SERVER/postgres" -c "DROP DATABASE $PG_DB" >/dev/null
else
  echo "PostgreSQL not reachable at $PG_SERVER: skipped"
fi
