#!/usr/bin/env bash
# Builds the Temporal CLI (dev server + Web UI) from source through the Go
# module proxy, caches the binary outside the clone, and runs the dev server.
#
#   dev.sh path     print the binary's path, building it first if needed
#   dev.sh build    build (or rebuild when go.mod/go.sum changed) the binary
#   dev.sh start    run the dev server in the foreground with vcenrich's settings
#   dev.sh args     print the dev-server arguments vcenrich needs (for tests)
#
# Settings (environment): VCENRICH_CACHE_DIR (default $XDG_CACHE_HOME/vcenrich
# or ~/.cache/vcenrich), VCENRICH_DATA_DIR (default <repo>/data),
# TEMPORAL_DEV_IP (127.0.0.1), TEMPORAL_DEV_PORT (7233), TEMPORAL_DEV_UI_PORT (8233).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
cache=${VCENRICH_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vcenrich}
# The cache key is the module's pinned dependency set, so editing go.mod or
# go.sum builds a new binary while every clone on a machine shares the old one.
key=$(cat "$here/go.mod" "$here/go.sum" | sha256sum | cut -c1-12)
bin="$cache/temporal-cli-$key/temporal"

# Search attributes the workflows upsert; registered at start so visibility
# queries (Web UI filters, GET /api/jobs) can use them. The SQL visibility
# stores allow three of each type but Keyword, hence a Double count.
search_attributes=(
  VcJobStatus=Keyword
  VcFirmsDone=Int
  VcFirmsTotal=Int
  VcUploadName=Keyword
  VcFirmsFailed=Int
  VcTeamMembers=Double
)

# Priority and fairness need the new matcher on the 1.29 server. They order
# tasks within a task-queue partition; one partition makes that order hold
# for the whole queue, which a single dev server loses nothing by.
dynamic_config=(
  matching.useNewMatcher=true
  matching.enableFairness=true
  matching.numTaskqueueReadPartitions=1
  matching.numTaskqueueWritePartitions=1
)

args() {
  for sa in "${search_attributes[@]}"; do printf -- '--search-attribute\n%s\n' "$sa"; done
  for dc in "${dynamic_config[@]}"; do printf -- '--dynamic-config-value\n%s\n' "$dc"; done
}

build() {
  if [[ -x "$bin" ]]; then return 0; fi
  echo "building the Temporal dev server from source (first time on this machine takes several minutes)..." >&2
  mkdir -p "$(dirname "$bin")"
  local tmp="$bin.tmp.$$"
  (cd "$here" && GOFLAGS=-mod=mod go build -trimpath -o "$tmp" github.com/temporalio/cli/cmd/temporal)
  mv -f "$tmp" "$bin"
  echo "built $bin" >&2
}

case "${1:-}" in
  path) build; echo "$bin" ;;
  build) build ;;
  args) args ;;
  start)
    build
    data=${VCENRICH_DATA_DIR:-$repo/data}
    mkdir -p "$data"
    mapfile -t extra < <(args)
    exec "$bin" server start-dev \
      --ip "${TEMPORAL_DEV_IP:-127.0.0.1}" \
      --port "${TEMPORAL_DEV_PORT:-7233}" \
      --ui-port "${TEMPORAL_DEV_UI_PORT:-8233}" \
      --db-filename "$data/temporal.db" \
      --log-level warn \
      "${extra[@]}"
    ;;
  *) sed -n '2,14p' "$0" >&2; exit 2 ;;
esac
