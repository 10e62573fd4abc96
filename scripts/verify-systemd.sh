#!/bin/sh
# Checks systemd/voicemaild.service with systemd's own tools, without installing it or needing root:
#   1. systemd-analyze verify: syntax, known keys, executables. Its exit status ignores unknown keys and bad
#      values ("Unknown key ..., ignoring"), so any message naming the unit counts as a failure too.
#   2. systemd-analyze security --offline=yes: the exposure score must stay at or under 2.0 (it is 1.4).
# The unit is checked as a copy in a temporary directory with ExecStart= pointing at the node found on PATH,
# because verify insists that the executable exists and CI machines may keep node outside /usr/bin.
# Usage: scripts/verify-systemd.sh [UNIT-FILE]   (default: systemd/voicemaild.service)
# No systemd-analyze: prints SKIP and exits 0, or exits 1 when REQUIRE_SYSTEMD_ANALYZE=1.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
unit="${1:-$here/systemd/voicemaild.service}"

if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "SKIP: systemd-analyze not found on PATH; $unit not verified"
  [ "${REQUIRE_SYSTEMD_ANALYZE:-0}" = 1 ] && exit 1
  exit 0
fi

node_bin=$(command -v node || true)
[ -n "$node_bin" ] || { echo "FAIL: node not found on PATH" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
sed "s|^ExecStart=/usr/bin/node |ExecStart=$node_bin |" "$unit" > "$work/voicemaild.service"

status=0
out=$(cd "$work" && systemd-analyze verify --man=no ./voicemaild.service 2>&1) || status=$?
# Only lines about our unit: a CI host may have unrelated broken units of its own.
ours=$(printf '%s\n' "$out" | grep 'voicemaild' || true)
if [ "$status" -ne 0 ] || [ -n "$ours" ]; then
  echo "FAIL: systemd-analyze verify (exit $status):" >&2
  printf '%s\n' "$out" >&2
  exit 1
fi
echo "OK: systemd-analyze verify"

if systemd-analyze security --help 2>/dev/null | grep -q -- '--offline'; then
  if ! report=$(cd "$work" && systemd-analyze security --offline=yes --threshold=20 ./voicemaild.service 2>&1); then
    printf '%s\n' "$report" >&2
    echo "FAIL: exposure above 2.0" >&2
    exit 1
  fi
  printf '%s\n' "$report" | tail -n 1
else
  echo "SKIP: this systemd-analyze has no 'security --offline'"
fi
