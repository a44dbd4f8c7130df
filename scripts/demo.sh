#!/usr/bin/env bash
# make demo: runs the whole product offline. Starts the dev server, the demo
# sites, a worker and the API server, enriches the sample spreadsheet end to
# end through the starter CLI, and says where to look.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
data=${VCENRICH_DATA_DIR:-$repo/data}
http_addr=${VCENRICH_HTTP_ADDR:-127.0.0.1:8080}
ui=${VCENRICH_TEMPORAL_UI:-http://127.0.0.1:8233}

scripts/services.sh up
mkdir -p "$data/demo"
sample="$data/demo/demo-vc-firms.xlsx"
out="$data/demo/demo-vc-firms-enriched.xlsx"
bin/demosites sample "$sample"
echo
echo "enriching $sample ..."
VCENRICH_SERVER="http://$http_addr" bin/starter run -name "Demo VC firms" -out "$out" "$sample"
cat <<TXT

Done. Where to look:
  enriched workbook  $out
  dashboard          http://$http_addr/
  Temporal Web UI    $ui  (workflow type EnrichJob)
  logs               $data/logs/
The services keep running for you to explore; 'make down' stops them.
TXT
