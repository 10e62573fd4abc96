#!/usr/bin/env bash
# Regenerate prompts/en/*.wav from scripts/prompts.txt: espeak-ng speaks, sox converts to the format FreeSWITCH
# plays without resampling on a narrowband call (8 kHz, 16-bit, mono PCM). Deterministic for a given espeak-ng.
# Needs: apt-get install espeak-ng sox
set -euo pipefail
cd "$(dirname "$0")/.."
out=prompts/en
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
while IFS='|' read -r file text; do
  case "$file" in ''|'#'*) continue ;; esac
  espeak-ng -v en-us -s 150 -w "$tmp/raw.wav" "$text"
  sox "$tmp/raw.wav" -r 8000 -b 16 -c 1 -e signed-integer "$out/$file"
  echo "$out/$file"
done < scripts/prompts.txt
