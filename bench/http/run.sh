#!/usr/bin/env bash
# HTTP throughput and latency of Safir's dynamic pages, side by side with the cheapest route
# in the same binary (/healthz) as this machine's ceiling, in one run.
#
#   bench/http/run.sh [DURATION_SECONDS] [CONNECTIONS]
#
# Needs wrk (Debian package `wrk`, installed if missing) and python3. Builds a release binary,
# seeds the demo ministry in a temporary directory, signs in as the Paris head of mission
# (password + TOTP) and creates a read token, then runs wrk against:
#   ceiling   GET /healthz                         (same middleware stack, no handler work)
#   home      GET /                                (anonymous page: template and form-token work, no database)
#   dashboard GET /missions/PAR/dashboard          (authenticated staff page, SQLite)
#   api       GET /api/v1/me                       (bearer-token API read)
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION="${1:-15}"
CONNECTIONS="${2:-64}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

cargo build --release -q -p safir
BIN=target/release/safir
WORK=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export SAFIR_DATA_DIR="$WORK/data" SAFIR_BIND="127.0.0.1:$PORT" SAFIR_LOG_LEVEL=warn SAFIR_MAIL_TRANSPORT=file
# The benchmark client is one address: lift the per-address sign-in limit for this run only.
export SAFIR_LOGIN_ATTEMPTS_PER_MINUTE=1000
$BIN demo --seed-only > "$WORK/accounts.txt"
$BIN serve > "$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

read -r COOKIE TOKEN < <(python3 bench/http/sign_in.py "http://127.0.0.1:$PORT" "$WORK/accounts.txt" ambassador.paris@demo.safir.example)

run() {
  local name=$1; shift
  local out
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@")
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  local non2xx
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  printf '%-10s %10s req/s   p99 %8s   non-2xx %s\n' "$name" "$rps" "$p99" "${non2xx:-0}"
}

echo "wrk -t2 -c$CONNECTIONS -d${DURATION}s, $(nproc) cores, release build, SQLite"
for round in 1 2; do
  echo "round $round"
  run ceiling "http://127.0.0.1:$PORT/healthz"
  run home "http://127.0.0.1:$PORT/"
  run dashboard -H "Cookie: safir_session=$COOKIE" "http://127.0.0.1:$PORT/missions/PAR/dashboard"
  run api -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/me"
done
