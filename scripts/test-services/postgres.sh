#!/usr/bin/env bash
# Throw-away PostgreSQL cluster on 127.0.0.1, for tests only (stack.md §6).
#
#   postgres.sh [start] DIR PORT   initdb if needed, start (or confirm already running), and
#                                  create database quarry_test; trust auth, user "postgres"
#   postgres.sh stop DIR           stop the cluster and remove DIR
#
# Durability is switched off (fsync, synchronous_commit, full_page_writes): the data is disposable
# and these settings make schema-heavy test suites several times faster.
set -euo pipefail

readonly DATABASE=quarry_test
readonly SUPERUSER=postgres

die() { echo "postgres: $*" >&2; exit 1; }

usage() { die "usage: $0 [start] DIR PORT | $0 stop DIR"; }

pg_bin() {
  local dir
  dir=$(pg_config --bindir 2>/dev/null) || die "pg_config not found (apt-get install postgresql)"
  [[ -x $dir/initdb && -x $dir/pg_ctl ]] || die "initdb/pg_ctl missing in $dir"
  echo "$dir"
}

# initdb refuses to run as root, so as root every server-side command runs as the postgres user.
as_owner() {
  if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

is_running() {
  [[ -f $D/data/PG_VERSION ]] && as_owner "$BIN/pg_ctl" -D "$D/data" status >/dev/null 2>&1
}

stop() {
  if [[ -d $D/data ]] && is_running; then
    # immediate: no checkpoint, the data is thrown away next.
    as_owner "$BIN/pg_ctl" -D "$D/data" -m immediate -w -t 30 stop >/dev/null || true
  fi
  rm -rf "$D"
}

start() {
  if is_running; then
    local running_port
    running_port=$(sed -n 4p "$D/data/postmaster.pid" 2>/dev/null || true)
    [[ $running_port == "$PORT" ]] || die "$D already runs PostgreSQL on port $running_port; stop it first"
    echo "postgres: already running in $D on port $PORT"
  else
    mkdir -p "$D"
    if [[ $(id -u) == 0 ]]; then
      getent passwd postgres >/dev/null || die "user 'postgres' missing"
      chown postgres: "$D"
      runuser -u postgres -- test -w "$D" \
        || die "user postgres cannot write $D: a parent directory is not searchable (chmod o+x it)"
    fi
    if [[ ! -f $D/data/PG_VERSION ]]; then
      rm -rf "$D/data"
      as_owner "$BIN/initdb" -D "$D/data" -A trust -U "$SUPERUSER" --no-sync -E UTF8 --locale=C.UTF-8 \
        >"$D/initdb.log" 2>&1 || { tail -n 20 "$D/initdb.log" >&2; die "initdb failed"; }
    fi
    # Unix sockets off: the path limit (~107 bytes) breaks on deep temp dirs, and tests use TCP.
    as_owner "$BIN/pg_ctl" -D "$D/data" -l "$D/server.log" -w -t 60 \
      -o "-p $PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null || { tail -n 20 "$D/server.log" >&2 || true; die "PostgreSQL did not start on 127.0.0.1:$PORT"; }
  fi

  local psql=("$BIN/psql" -X -q -h 127.0.0.1 -p "$PORT" -U "$SUPERUSER" -d postgres -v ON_ERROR_STOP=1)
  if [[ $("${psql[@]}" -tAc "select 1 from pg_database where datname = '$DATABASE'") != 1 ]]; then
    "${psql[@]}" -c "create database $DATABASE" >/dev/null || die "could not create database $DATABASE"
  fi
  echo "postgres: up in $D: postgres://$SUPERUSER@127.0.0.1:$PORT/$DATABASE"
}

verb=start
if [[ ${1:-} == start || ${1:-} == stop ]]; then verb=$1; shift; fi
[[ $# -ge 1 ]] || usage
D=$(realpath -m "$1")
[[ $D != / ]] || die "refusing DIR=/"
BIN=$(pg_bin)

if [[ $verb == stop ]]; then
  stop
  exit 0
fi

[[ $# -ge 2 ]] || usage
PORT=$2
[[ $PORT =~ ^[0-9]+$ ]] && ((PORT > 0 && PORT <= 65535)) || die "bad PORT: $PORT"
start
