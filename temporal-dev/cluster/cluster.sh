#!/usr/bin/env bash
# A real Temporal cluster on one machine: the Temporal server v1.29.1 and its
# SQL schema tool built from source (this folder's own Go module), on a
# PostgreSQL from Debian's packages. The path users take when one machine's
# dev server is not enough; `make test-cluster` runs the integration tests
# against it.
#
#   cluster.sh build   build (once per machine, cached) the server and schema tool
#   cluster.sh start   PostgreSQL + schema + server, idempotent; prints the address
#   cluster.sh stop    stop the server and PostgreSQL
#   cluster.sh kill-server [TERM|KILL]  stop only the Temporal server, with that signal (the chaos tests)
#   cluster.sh start-server             start it again on its database and wait until it serves
#   cluster.sh address print the frontend address
#
# Settings: VCENRICH_CACHE_DIR (as temporal-dev/dev.sh), VCENRICH_CLUSTER_DIR
# (default $TMPDIR/vcenrich-cluster), VCENRICH_CLUSTER_PORT (frontend, 7333; the
# other services take the ports just above it), VCENRICH_CLUSTER_PG_PORT (55432).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${VCENRICH_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vcenrich}
key=$(cat "$here/go.mod" "$here/go.sum" | sha256sum | cut -c1-12)
bindir="$cache/temporal-cluster-$key"
# Outside the clone by default: PostgreSQL runs as its own user, who must
# reach the folder, and a clone may sit under a private home.
data=${VCENRICH_CLUSTER_DIR:-${TMPDIR:-/tmp}/vcenrich-cluster}
port=${VCENRICH_CLUSTER_PORT:-7333}
pg_port=${VCENRICH_CLUSTER_PG_PORT:-55432}
address="127.0.0.1:$port"

build() {
  [[ -x "$bindir/temporal-server" && -x "$bindir/temporal-sql-tool" ]] && return 0
  echo "building the Temporal server and schema tool from source (first time on this machine)..." >&2
  mkdir -p "$bindir"
  (cd "$here" && GOFLAGS=-mod=mod go build -trimpath -o "$bindir/temporal-server.tmp" go.temporal.io/server/cmd/server \
    && GOFLAGS=-mod=mod go build -trimpath -o "$bindir/temporal-sql-tool.tmp" go.temporal.io/server/cmd/tools/sql)
  mv -f "$bindir/temporal-server.tmp" "$bindir/temporal-server"
  mv -f "$bindir/temporal-sql-tool.tmp" "$bindir/temporal-sql-tool"
}

# PostgreSQL refuses to run as root: when we are root, run it as postgres.
as_pg() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [[ -x "$d/initdb" ]] && { echo "$d"; return 0; }; done
  if [[ $(id -u) == 0 ]]; then
    echo "installing PostgreSQL from Debian's packages..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    for d in /usr/lib/postgresql/*/bin; do [[ -x "$d/initdb" ]] && { echo "$d"; return 0; }; done
  fi
  echo "PostgreSQL is not installed (apt-get install postgresql)" >&2
  return 1
}

start_pg() {
  local bin; bin=$(pg_bin)
  mkdir -p "$data"
  if [[ ! -f "$data/pg/PG_VERSION" ]]; then
    mkdir -p "$data/pg"
    [[ $(id -u) == 0 ]] && chown postgres "$data/pg" && chmod 700 "$data/pg"
    as_pg "$bin/initdb" -D "$data/pg" -U postgres --auth=trust >"$data/initdb.log"
  fi
  mkdir -p "$data/pgsock"; [[ $(id -u) == 0 ]] && chown postgres "$data/pgsock" "$data"
  if ! as_pg "$bin/pg_ctl" -D "$data/pg" status >/dev/null 2>&1; then
    as_pg "$bin/pg_ctl" -D "$data/pg" -w -l "$data/pg.log" \
      -o "-p $pg_port -k $data/pgsock -c listen_addresses=127.0.0.1" start >/dev/null
  fi
  psql -h 127.0.0.1 -p "$pg_port" -U postgres -qtAc "SELECT 1 FROM pg_roles WHERE rolname='temporal'" | grep -q 1 \
    || psql -h 127.0.0.1 -p "$pg_port" -U postgres -qc "CREATE ROLE temporal LOGIN PASSWORD 'temporal' CREATEDB"
}

setup_schema() {
  [[ -f "$data/schema.done" ]] && return 0
  local schema; schema=$(cd "$here" && go list -m -f '{{.Dir}}' go.temporal.io/server)/schema/postgresql/v12
  local tool=("$bindir/temporal-sql-tool" --plugin postgres12 --ep 127.0.0.1 -p "$pg_port" -u temporal --pw temporal)
  local db
  for db in temporal temporal_visibility; do
    local dir=temporal; [[ $db == temporal_visibility ]] && dir=visibility
    "${tool[@]}" --db "$db" create-database >>"$data/schema.log" 2>&1
    "${tool[@]}" --db "$db" setup-schema -v 0.0 >>"$data/schema.log" 2>&1
    "${tool[@]}" --db "$db" update-schema -d "$schema/$dir/versioned" >>"$data/schema.log" 2>&1
  done
  touch "$data/schema.done"
}

start_server() {
  if [[ -f "$data/server.pid" ]] && kill -0 "$(cat "$data/server.pid")" 2>/dev/null; then return 0; fi
  mkdir -p "$data/config"
  sed -e "s|@PG_PORT@|$pg_port|g" \
      -e "s|@FRONTEND_PORT@|$port|g" -e "s|@FRONTEND_MEMBERSHIP_PORT@|$((port + 100))|g" -e "s|@FRONTEND_HTTP_PORT@|$((port + 10))|g" \
      -e "s|@HISTORY_PORT@|$((port + 1))|g" -e "s|@HISTORY_MEMBERSHIP_PORT@|$((port + 101))|g" \
      -e "s|@MATCHING_PORT@|$((port + 2))|g" -e "s|@MATCHING_MEMBERSHIP_PORT@|$((port + 102))|g" \
      -e "s|@WORKER_PORT@|$((port + 6))|g" -e "s|@WORKER_MEMBERSHIP_PORT@|$((port + 106))|g" \
      -e "s|@DYNAMIC_CONFIG@|$data/config/dynamicconfig.yaml|g" \
      "$here/config.yaml.tmpl" >"$data/config/development.yaml"
  cp "$here/dynamicconfig.yaml" "$data/config/dynamicconfig.yaml"
  nohup "$bindir/temporal-server" --root "$data" --config config --env development --allow-no-auth start \
    >>"$data/server.log" 2>&1 &
  echo $! >"$data/server.pid"
}

cli() { "$("$repo/temporal-dev/dev.sh" path)" "$@" --address "$address"; }

register() {
  local i
  for i in $(seq 1 120); do cli operator cluster health >/dev/null 2>&1 && break; sleep 0.5; done
  cli operator cluster health >/dev/null || { tail -20 "$data/server.log" >&2; return 1; }
  cli operator namespace describe --namespace default >/dev/null 2>&1 \
    || cli operator namespace create --namespace default --retention 72h >/dev/null
  # The search attributes come from the one list temporal-dev keeps.
  local sa
  for sa in $("$repo/temporal-dev/dev.sh" args | grep -v -- '^--' | grep -E '^Vc'); do
    cli operator search-attribute create --namespace default --name "${sa%%=*}" --type "${sa#*=}" >/dev/null 2>&1 || true
  done
}

# alive: the process exists and is not a zombie its parent has yet to reap.
alive() { local s; s=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $s != Z* ]]; }

kill_server() {
  local sig=${1:-TERM} pid i
  [[ -f "$data/server.pid" ]] || return 0
  pid=$(cat "$data/server.pid")
  kill -"$sig" "$pid" 2>/dev/null || true
  for i in $(seq 1 600); do alive "$pid" || break; sleep 0.1; done
  if alive "$pid"; then echo "the Temporal server ($pid) still runs 60 s after SIG$sig" >&2; return 1; fi
  rm -f "$data/server.pid"
}

stop() {
  # Waits for the server to exit, so a following start finds its ports free.
  kill_server TERM || kill_server KILL
  local bin; bin=$(pg_bin 2>/dev/null) || return 0
  [[ -d "$data/pg" ]] && as_pg "$bin/pg_ctl" -D "$data/pg" -m fast stop >/dev/null 2>&1 || true
}

case "${1:-}" in
  build) build ;;
  start) build; start_pg; setup_schema; start_server; register; echo "$address" ;;
  stop) stop ;;
  kill-server) kill_server "${2:-TERM}" ;;
  start-server) start_server; register ;;
  address) echo "$address" ;;
  *) sed -n '2,16p' "$0" >&2; exit 2 ;;
esac
