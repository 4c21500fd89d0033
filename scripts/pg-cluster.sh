#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests of team mode (issue 17).
#
#   scripts/pg-cluster.sh start DIR   initdb in DIR (created, emptied first;
#                                     as root, somewhere the postgres user can
#                                     reach, e.g. under /tmp),
#                                     start the server on a Unix socket in
#                                     DIR only (no TCP), print the connection
#                                     string for EACDESK_TEST_PG
#   scripts/pg-cluster.sh stop DIR    stop it and remove DIR
#
# The server trusts local connections (the socket is in DIR, readable by the
# user who runs the tests only) and runs without fsync: it holds test data
# and is thrown away. As root (CI), the server runs as the `postgres` user
# the Debian package creates; PostgreSQL refuses to run as root. The
# binaries are the newest /usr/lib/postgresql/*/bin (Debian's layout) or
# the ones on PATH. `make test` installs the package when absent.
set -euo pipefail

usage() {
  echo "usage: $0 start|stop DIR" >&2
  exit 2
}
[ $# -eq 2 ] || usage
cmd=$1
dir=$2

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bin" ]; then
  bin=$(dirname "$(command -v pg_ctl || echo /nonexistent/pg_ctl)")
fi
[ -x "$bin/pg_ctl" ] || {
  echo "PostgreSQL is not installed (no pg_ctl); run 'make deps-test'" >&2
  exit 1
}

# Runs a PostgreSQL program as the cluster's owner.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case $cmd in
  start)
    rm -rf "$dir"
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [ "$(id -u)" -eq 0 ]; then
      chown postgres "$dir"
      runuser -u postgres -- test -w "$dir" || {
        echo "the postgres user cannot reach $dir (its parents must be searchable by others; use /tmp)" >&2
        exit 1
      }
    fi
    as_owner "$bin/initdb" -D "$dir/data" -U eacdesk -A trust -E UTF8 --locale=C.UTF-8 \
      --no-sync >"$dir/initdb.log" 2>&1 || {
      cat "$dir/initdb.log" >&2
      exit 1
    }
    port=5433
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-k $dir -p $port -c listen_addresses= -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null || {
      cat "$dir/server.log" >&2
      exit 1
    }
    echo "host=$dir port=$port user=eacdesk dbname=postgres"
    ;;
  stop)
    if [ -d "$dir/data" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *) usage ;;
esac
