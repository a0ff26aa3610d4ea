#!/usr/bin/env bash
# Installs what is needed and starts SayPro Desk on the local store.
#   scripts/run.sh               start on the default data folder (or SAYPRO_DATA_DIR)
#   scripts/run.sh --demo [N]    first fill the store with N demo inquiries (default 2000) and 600 demo ads if it has none
# Any other arguments go to the `saypro` command (e.g. scripts/run.sh --data-dir /tmp/desk).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh desktop
args=()
demo=""
while [ $# -gt 0 ]; do
  case "$1" in
    --demo)
      demo="2000"
      if [ $# -gt 1 ] && [[ "$2" =~ ^[0-9]+$ ]]; then demo="$2"; shift; fi ;;
    *) args+=("$1") ;;
  esac
  shift
done
if [ -n "$demo" ]; then
  if .venv/bin/saypro inquiry list --limit 1 "${args[@]}" | grep -q "^(0 of 0 shown)"; then
    .venv/bin/saypro demo-data --inquiries "$demo" --ads 600 --months 12 "${args[@]}"
  fi
fi
exec .venv/bin/saypro "${args[@]}"
