#!/usr/bin/env bash
# Runs a command with a throwaway local PostgreSQL: initdb in a temp dir, a server on 127.0.0.1 and a
# free port, PORTCULLIS_TEST_DATABASE_URL pointing at it; the server and its files are removed on exit.
#
#   bash scripts/with-postgres.sh npm test
#
# Finds PostgreSQL's binaries on PATH or in /usr/lib/postgresql/<version>/bin. initdb and postgres
# refuse to run as root, so as root they run as the `postgres` OS user (created when missing); as
# any other user they run as that user. Set PORTCULLIS_PG_APT_INSTALL=1 (CI does) to let it install
# postgresql-15 with apt-get when no binaries are found.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 command [args...]" >&2
  exit 2
fi

find_pg_bin() {
  local dir
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v pg_ctl)")"
    return 0
  fi
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

PG_BIN="$(find_pg_bin || true)"
if [ -z "$PG_BIN" ] && [ "${PORTCULLIS_PG_APT_INSTALL:-}" = "1" ] && [ "$(id -u)" = "0" ]; then
  echo "with-postgres: no PostgreSQL binaries found; installing postgresql-15 with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends postgresql-15 >/dev/null
  PG_BIN="$(find_pg_bin || true)"
fi
if [ -z "$PG_BIN" ]; then
  echo "with-postgres: PostgreSQL binaries (initdb, pg_ctl, postgres) not found; install PostgreSQL 15" >&2
  exit 1
fi

# As root, run the server as the unprivileged `postgres` user.
as_pg=()
if [ "$(id -u)" = "0" ]; then
  if ! id postgres >/dev/null 2>&1; then
    useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash postgres 2>/dev/null ||
      adduser --system --group --home /var/lib/postgresql --shell /bin/bash postgres
  fi
  as_pg=(runuser -u postgres --)
fi

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/portcullis-pg.XXXXXX")"
PG_DATA="$PG_DIR/data"
PG_LOG="$PG_DIR/postgres.log"
PG_PORT="${PORTCULLIS_PG_PORT:-$(free_port)}"
if [ "${#as_pg[@]}" -gt 0 ]; then chown postgres: "$PG_DIR"; fi

started=0
cleanup() {
  local status=$?
  if [ "$started" = "1" ]; then
    "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PG_DIR"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

show_log() {
  echo "---- PostgreSQL log ($PG_LOG) ----" >&2
  cat "$PG_LOG" >&2 2>/dev/null || true
  echo "---- end of PostgreSQL log ----" >&2
}

"${as_pg[@]}" "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust --encoding=UTF8 --no-locale >"$PG_DIR/initdb.log" 2>&1 || {
  cat "$PG_DIR/initdb.log" >&2
  exit 1
}

# Throwaway data: durability settings off for speed (the tests kill Portcullis, never PostgreSQL).
started=1
if ! "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start \
  -o "-h 127.0.0.1 -p $PG_PORT -k $PG_DIR -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c log_checkpoints=off" >/dev/null; then
  echo "with-postgres: PostgreSQL did not start" >&2
  show_log
  exit 1
fi

# pg_ctl -w already waits; confirm that TCP connections are accepted before handing over.
PG_ISREADY="$PG_BIN/pg_isready"
[ -x "$PG_ISREADY" ] || PG_ISREADY="$(command -v pg_isready || true)"
ready=0
for _ in $(seq 1 60); do
  if [ -n "$PG_ISREADY" ]; then
    if "$PG_ISREADY" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres; then ready=1; break; fi
  elif node -e "require('net').connect($PG_PORT,'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))"; then
    ready=1; break
  fi
  sleep 0.5
done
if [ "$ready" != "1" ]; then
  echo "with-postgres: PostgreSQL is not accepting connections on 127.0.0.1:$PG_PORT" >&2
  show_log
  exit 1
fi

echo "with-postgres: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT ($PG_DIR)" >&2
export PORTCULLIS_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
set +e
"$@"
status=$?
set -e
if [ "$status" != "0" ]; then
  # Tests provoke constraint errors on purpose; only server-level trouble is worth showing here.
  trouble="$(grep -E 'FATAL|PANIC|terminated by signal|out of memory|too many' "$PG_LOG" | tail -n 30 || true)"
  if [ -n "$trouble" ]; then
    echo "with-postgres: the command failed ($status); PostgreSQL reported:" >&2
    echo "$trouble" >&2
  fi
fi
exit "$status"
