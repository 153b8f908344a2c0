#!/usr/bin/env bash
# The whole suite, as `make test` runs it:
#   1. lint (ruff);
#   2. every test on SQLite (the embedded default);
#   3. every test again on PostgreSQL: DATABASE_URL when given, else the local
#      server when one answers on 127.0.0.1:5432, else a throwaway cluster
#      (initdb/pg_ctl) when PostgreSQL is installed, else skipped LOUDLY —
#      REQUIRE_POSTGRES=1 turns that skip into a failure;
#   4. browser tests run in both when /usr/bin/chromium exists, else skipped
#      LOUDLY — REQUIRE_BROWSER=1 turns that skip into a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export PRAKERJA_HOME="$PWD" PRAKERJA_ENV=test PRAKERJA_FAST_HASHER=1
mkdir -p var

loud() { printf '\n%s\n!!! %s\n%s\n\n' "$(printf '!%.0s' {1..78})" "$1" "$(printf '!%.0s' {1..78})" >&2; }

echo "== ruff"
$BIN/ruff check src tests

if [ -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
else
  if [ "${REQUIRE_BROWSER:-0}" = "1" ]; then
    echo "REQUIRE_BROWSER=1 but no Chromium at ${CHROMIUM:-/usr/bin/chromium}" >&2; exit 1
  fi
  loud "Chromium not found: browser tests are SKIPPED (apt-get install chromium)"
fi

echo "== tests on SQLite"
env -u DATABASE_URL $BIN/pytest -q -p no:cacheprovider -n "${TEST_WORKERS:-2}" "$@"

PG_URL="${DATABASE_URL:-}"
STARTED_CLUSTER=""
AS=()
cleanup() { :; }
trap cleanup EXIT
if [ -z "$PG_URL" ] && command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; then
  PG_URL="postgresql://postgres@127.0.0.1:5432/prakerja"
fi
if [ -z "$PG_URL" ] && command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
  DIR="$(mktemp -d /tmp/prakerja-pg.XXXXXX)"; PORT=54329
  AS=()
  if [ "$(id -u)" = "0" ]; then
    # PostgreSQL refuses to run as root: run the throwaway cluster as the postgres user.
    chown postgres "$DIR" 2>/dev/null && AS=(runuser -u postgres --) || AS=()
  fi
  if "${AS[@]}" initdb -D "$DIR/data" -U postgres -A trust >/dev/null &&
     "${AS[@]}" pg_ctl -D "$DIR/data" -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off" \
       -l "$DIR/log" -w start >/dev/null; then
    STARTED_CLUSTER="$DIR/data"
    PG_URL="postgresql://postgres@127.0.0.1:$PORT/prakerja"
  fi
fi
cleanup() { if [ -n "$STARTED_CLUSTER" ]; then "${AS[@]}" pg_ctl -D "$STARTED_CLUSTER" -m fast stop >/dev/null 2>&1 || true; fi; }
if [ -z "$PG_URL" ]; then
  if [ "${REQUIRE_POSTGRES:-0}" = "1" ]; then
    echo "REQUIRE_POSTGRES=1 but no PostgreSQL could be found or started" >&2; exit 1
  fi
  loud "PostgreSQL not available: the PostgreSQL run is SKIPPED (set DATABASE_URL or install PostgreSQL)"
  exit 0
fi
echo "== tests on PostgreSQL"
DATABASE_URL="$PG_URL" $BIN/pytest -q -p no:cacheprovider -n "${TEST_WORKERS:-2}" "$@"
