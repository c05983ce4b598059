#!/usr/bin/env bash
# The officer queue on PostgreSQL, run after run on one server, with what each view costs the
# database: how many transactions and rows it takes there, and the CPU of the server process
# and of every PostgreSQL process, against /healthz as the ceiling in the same round.
#
#   bench/consular/pg-share.sh BIN [ROUNDS] [SECONDS] [CONNECTIONS]
#
# Loads 100,000 cases into a fresh database safir_bench_pg_share on $SAFIR_BENCH_POSTGRES
# (default postgres://postgres@127.0.0.1:5432), as run.sh does, signs in as the Paris consular
# officer and runs, each round, wrk against /healthz and then the queue. Per queue run it prints
# the share of the ceiling, the p99, and per view: the database's commits (pg_stat_database's
# xact_commit: the audit writer's group commits, the read cache's refreshes, the job
# workers' polls), the rows it inserted, and the CPU of the server and of PostgreSQL, in µs,
# and PostgreSQL's as a fraction of the server's (which a drifting machine moves least).
# SAFIR_PG_SHARE_SQL, when set, is run on the loaded database before the server starts (to
# measure a change of the schema with the same binary: an index dropped, say). The database is
# dropped at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -ge 1 ] || { sed -n '2,17p' "$0" >&2; exit 2; }
BIN=$1
ROUNDS="${2:-4}"
DURATION="${3:-5}"
CONNECTIONS="${4:-64}"
PG_SERVER="${SAFIR_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432}"
PG_DB=safir_bench_pg_share
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

WORK=$(mktemp -d)
SERVER=
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
  psql "$PG_SERVER/postgres" -q -c "DROP DATABASE IF EXISTS $PG_DB" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
psql "$PG_SERVER/postgres" -q -c "DROP DATABASE IF EXISTS $PG_DB" -c "CREATE DATABASE $PG_DB"
export SAFIR_DATABASE_URL="$PG_SERVER/$PG_DB" SAFIR_DATA_DIR="$WORK/data"
export SAFIR_LOG_LEVEL=warn SAFIR_MAIL_TRANSPORT=file SAFIR_LOGIN_ATTEMPTS_PER_MINUTE=1000
"$BIN" migrate >/dev/null
"$BIN" demo --seed-only > "$WORK/accounts.txt"
python3 bench/consular/gen_cases.py postgres "$SAFIR_DATABASE_URL" >/dev/null
"$BIN" migrate >/dev/null
# As run.sh: the search keys' fill rewrote every case; vacuum so the counts read the index.
psql "$SAFIR_DATABASE_URL" -q -c "VACUUM ANALYZE"
if [ -n "${SAFIR_PG_SHARE_SQL:-}" ]; then
  psql "$SAFIR_DATABASE_URL" -q -v ON_ERROR_STOP=1 -c "$SAFIR_PG_SHARE_SQL"
fi

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
SAFIR_BIND="127.0.0.1:$PORT" "$BIN" serve > "$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done
COOKIE=$(python3 bench/consular/sign_in.py "$BASE" "$WORK/accounts.txt" consul.paris@demo.safir.example)
QUEUE="$BASE/missions/PAR/cases"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: safir_session=$COOKIE" "$QUEUE")
[ "$code" = 200 ] || { echo "the queue answered $code" >&2; exit 1; }

# "commits inserted server_ticks postgres_ticks", now.
counters() {
  local db server pg
  db=$(psql -qAt "$SAFIR_DATABASE_URL" -c \
    "SELECT xact_commit, tup_inserted FROM pg_stat_database WHERE datname = current_database()" | tr '|' ' ')
  server=$(awk '{print $14 + $15}' "/proc/$SERVER/stat")
  pg=$(cat /proc/[0-9]*/stat 2>/dev/null | awk '$2 == "(postgres)" {t += $14 + $15} END {print t + 0}')
  echo "$db $server $pg"
}

# A backend reports its statistics to pg_stat_database at most once a second, and one gone idle
# may wait longer: each reading waits a little, and under steady load what a reading misses the
# next counts, so a run's figures hold its own transactions (the rows inserted come out at one a
# view, the queue's audit record, as they should).
echo "wrk -t2 -c$CONNECTIONS -d${DURATION}s, $(nproc) cores, $ROUNDS rounds, $BIN"
wrk -t2 -c"$CONNECTIONS" -d2s -H "Cookie: safir_session=$COOKIE" "$QUEUE" >/dev/null
for _ in $(seq "$ROUNDS"); do
  ceiling=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" "$BASE/healthz" | awk '/Requests\/sec/ {print $2}')
  sleep 1.5
  before=$(counters)
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s --latency \
    -H "Cookie: safir_session=$COOKIE" "$QUEUE")
  sleep 1.5
  after=$(counters)
  if grep -qE 'Non-2xx|Socket errors' <<<"$out"; then
    echo "the queue did not answer 2xx to every request" >&2
    exit 1
  fi
  awk -v b="$before" -v a="$after" -v c="$ceiling" -v hz="$(getconf CLK_TCK)" -v d="$DURATION" '
    /requests in/ {n = $1}
    $1 == "99%" {p = $2}
    END {
      split(b, x, " "); split(a, y, " ")
      server = y[3] - x[3]; pg = y[4] - x[4]
      printf "healthz %.0f req/s, queue %.0f req/s, %.1f%% of the ceiling, p99 %s; a view: %.3f commits, %.2f rows inserted, server %.1f us, postgres %.1f us (%.2f of the server)\n",
        c, n / d, 100 * n / d / c, p, (y[1] - x[1]) / n, (y[2] - x[2]) / n,
        1e6 * server / hz / n, 1e6 * pg / hz / n, (server > 0 ? pg / server : 0)
    }' <<<"$out"
done
