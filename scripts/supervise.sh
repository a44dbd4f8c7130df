#!/usr/bin/env bash
# supervise.sh COMMAND...: runs COMMAND and starts it again whenever it
# exits, with a short backoff, until this script gets SIGTERM or SIGINT,
# which it passes on before it exits. `make up` runs the worker under it so a
# worker that dies comes back by itself (systemd does the same in production:
# deploy/systemd).
set -uo pipefail
child=0
stopping=0
stop() {
  stopping=1
  if (( child )); then kill -TERM "$child" 2>/dev/null; wait "$child"; fi
  exit 0
}
trap stop TERM INT
delay=1
while (( ! stopping )); do
  started=$(date +%s)
  "$@" &
  child=$!
  wait "$child"
  status=$?
  child=0
  (( stopping )) && break
  # Back off when it dies at once (bad settings); reset after a good run.
  if (( $(date +%s) - started > 30 )); then delay=1; else delay=$(( delay < 30 ? delay * 2 : 30 )); fi
  echo "supervise: $1 exited with status $status; restarting in ${delay}s" >&2
  sleep "$delay" &
  wait $!
done
