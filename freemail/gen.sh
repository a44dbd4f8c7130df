#!/bin/sh
# Writes domains.txt from the npm package free-email-domains (HubSpot's list
# of free email providers, MIT licence), pinned below. Run by go generate;
# needs npm and python3, which the tests do not.
set -eu
version=1.12.6
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
(cd "$dir" && npm pack --silent "free-email-domains@$version" >/dev/null && tar xzf free-email-domains-*.tgz)
{
  echo "# free-email-domains@$version (npm), MIT licence; written by gen.sh, do not edit"
  python3 -c 'import json,sys; print("\n".join(sorted(set(d.strip().lower() for d in json.load(open(sys.argv[1])) if d.strip()))))' "$dir/package/domains.json"
} > domains.txt
cp "$dir/package/LICENSE.md" LICENSE-free-email-domains.md
