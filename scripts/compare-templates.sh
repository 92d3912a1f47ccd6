#!/usr/bin/env bash
# Packages the service at a git revision and in the working tree, in both shapes of
# scripts/template-shapes.sh, and compares the templates byte for byte, after making the same
# what differs between two packagings of the same service (scripts/normalize-template.ts: the
# artifacts' folder, and the order osls happens to add the Lambda versions in).
# Usage: scripts/compare-templates.sh [revision (default main)] [work-dir]
# Exits 0 when both shapes are byte-identical, 1 with a unified diff of each shape otherwise.
# For refactors that must not change the stack, such as splitting serverless.yml's resources.
set -euo pipefail
cd "$(dirname "$0")/.."

revision="${1:-main}"
work="${2:-$(mktemp -d)}"
mkdir -p "$work/home" "$work/base"
export HOME="$work/home" AWS_EC2_METADATA_DISABLED=true SLS_TELEMETRY_DISABLED=1

# shellcheck source=scripts/template-shapes.sh
source scripts/template-shapes.sh

# The revision's files, with this checkout's node_modules (the dependencies are the same).
git archive "$revision" | tar -x -C "$work/base"
ln -sfn "$PWD/node_modules" "$work/base/node_modules"

template() {
  local dir="$1" out="$2" region="$3"
  shift 3
  (cd "$dir" && timeout --kill-after=10 300 npx sls package "$@" --region "$region" --package "$out") >"$out.log" 2>&1 ||
    { cat "$out.log" >&2; exit 2; }
  npx tsx scripts/normalize-template.ts "$out/cloudformation-template-update-stack.json" "$out.json"
}

status=0
compare() {
  local name="$1" region="$2"
  shift 2
  template "$work/base" "$work/$name-base" "$region" "$@"
  template "$PWD" "$work/$name-tree" "$region" "$@"
  if cmp -s "$work/$name-base.json" "$work/$name-tree.json"; then
    echo "$name: byte-identical to $revision ($(wc -c <"$work/$name-tree.json") bytes)"
  else
    echo "$name: differs from $revision"
    diff -u "$work/$name-base.json" "$work/$name-tree.json" || true
    status=1
  fi
}

compare ci "$CI_REGION" "${CI_ARGS[@]}"
compare prod "$PROD_REGION" "${PROD_ARGS[@]}"
exit "$status"
