#!/usr/bin/env bash
# cfn-lint, CloudFormation's own linter, on the packaged template in two shapes
# (scripts/template-shapes.sh): the `ci` stage (every optional parameter empty) and a `prod`
# stage in another region with every optional parameter set (existing bucket and role, alarm
# topic, VPC, subscriber accounts, notify email).
# Fails on any error; prints warnings (docs/security.md, "cfn-lint", says which remain and why).
# Usage: scripts/cfn-lint.sh [work-dir]   (needs cfn-lint on PATH: pip install cfn-lint)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cfn-lint >/dev/null 2>&1; then
  echo "cfn-lint is not installed (pip install cfn-lint); the template cannot be checked" >&2
  exit 1
fi

if [ -n "${1:-}" ]; then
  work="$1"
else
  # A folder of its own goes when the script ends; a work-dir the caller names stays.
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work/home"
export HOME="$work/home" AWS_EC2_METADATA_DISABLED=true SLS_TELEMETRY_DISABLED=1

# shellcheck source=scripts/template-shapes.sh
source scripts/template-shapes.sh

status=0
lint() {
  local name="$1" region="$2"
  shift 2
  echo "── sls package $* (region $region) → cfn-lint"
  timeout --kill-after=10 300 npx sls package "$@" --region "$region" --package "$work/$name" >"$work/$name.log" 2>&1 ||
    { cat "$work/$name.log"; exit 1; }
  local out rc=0
  out="$(cfn-lint --non-zero-exit-code error --regions "$region" -- "$work/$name/cloudformation-template-update-stack.json")" || rc=$?
  [ -n "$out" ] && echo "$out"
  echo "$name: $(grep -cE '^E[0-9]{4}' <<<"$out" || true) errors, $(grep -cE '^W[0-9]{4}' <<<"$out" || true) warnings (cfn-lint $(cfn-lint --version | awk '{print $2}'))"
  [ "$rc" -eq 0 ] || status=1
}

lint ci "$CI_REGION" "${CI_ARGS[@]}"
lint prod "$PROD_REGION" "${PROD_ARGS[@]}"
exit "$status"
