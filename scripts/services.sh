#!/usr/bin/env bash
# Starts and stops vcenrich's local processes in the background: the
# Temporal dev server, the demo sites, a worker and the API server. Each
# writes its log under data/logs and its pid under data/run.
#
#   services.sh up      start whatever is not running (idempotent)
#   services.sh down    stop the worker, server and demo sites (the dev server keeps running)
#   services.sh down-all  stop everything, the dev server included
#   services.sh status  say what runs
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
data=${VCENRICH_DATA_DIR:-$repo/data}
export VCENRICH_DATA_DIR=$data
logs="$data/logs"
run="$data/run"
mkdir -p "$logs" "$run"

demo_addr=${VCENRICH_DEMO_ADDR:-127.0.0.1:8090}
http_addr=${VCENRICH_HTTP_ADDR:-127.0.0.1:8080}
temporal_addr=${TEMPORAL_ADDRESS:-127.0.0.1:7233}
# Every host under .demo.test is dialled at the demo server, and the SSRF
# guard lets that one address and port through: nothing else on this
# machine or its network (public sites stay reachable as always).
export VCENRICH_FETCH_HOSTS=${VCENRICH_FETCH_HOSTS:-.demo.test=$demo_addr}
export VCENRICH_FETCH_ALLOW=${VCENRICH_FETCH_ALLOW:-$demo_addr}

alive() { [[ -f "$run/$1.pid" ]] && kill -0 "$(cat "$run/$1.pid")" 2>/dev/null; }

# wait_for NAME CHECK... : retry a readiness check for up to 90 seconds.
wait_for() {
  local name=$1; shift
  for _ in $(seq 1 180); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if ! alive "$name"; then
      echo "$name exited; last lines of $logs/$name.log:" >&2
      tail -n 20 "$logs/$name.log" >&2 || true
      return 1
    fi
    sleep 0.5
  done
  echo "$name did not become ready; see $logs/$name.log" >&2
  return 1
}

start() { # start NAME COMMAND...
  local name=$1; shift
  if alive "$name"; then echo "$name already running (pid $(cat "$run/$name.pid"))"; return 0; fi
  nohup "$@" >>"$logs/$name.log" 2>&1 &
  echo $! >"$run/$name.pid"
  echo "started $name (pid $!, log $logs/$name.log)"
}

stop() { # stop NAME
  local name=$1
  if alive "$name"; then
    local pid; pid=$(cat "$run/$name.pid")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
    echo "stopped $name"
  fi
  rm -f "$run/$name.pid"
}

up() {
  local temporal_bin
  temporal_bin=$(temporal-dev/dev.sh path)
  if "$temporal_bin" operator cluster health --address "$temporal_addr" >/dev/null 2>&1; then
    echo "Temporal already answering at $temporal_addr"
  else
    start temporal temporal-dev/dev.sh start
    wait_for temporal "$temporal_bin" operator cluster health --address "$temporal_addr"
  fi
  start demosites bin/demosites
  wait_for demosites curl -fsS -H "Host: northwind.demo.test" "http://$demo_addr/"
  start worker scripts/supervise.sh bin/worker
  start server bin/server
  wait_for server curl -fsS "http://$http_addr/api/health"
}

case "${1:-}" in
  up) up ;;
  down) stop server; stop worker; stop demosites ;;
  down-all) stop server; stop worker; stop demosites; stop temporal ;;
  status) for n in temporal demosites worker server; do if alive "$n"; then echo "$n: running (pid $(cat "$run/$n.pid"))"; else echo "$n: stopped"; fi; done ;;
  *) sed -n '2,9p' "$0" >&2; exit 2 ;;
esac
