#!/usr/bin/env bash
# Creates .venv beside the project and installs SayPro Desk into it (editable) with the extras named
# in $1 (e.g. "test"). Re-installs only when pyproject.toml changed. Needs Python >= 3.11.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
python_bin="${PYTHON:-python3}"
if ! "$python_bin" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "SayPro Desk needs Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "creating .venv" >&2
  "$python_bin" -m venv .venv
fi
stamp=".venv/.saypro-installed-${extras//,/-}"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "installing SayPro Desk and the packages it needs${extras:+ (with $extras)} into .venv:" \
       "PySide6, SQLAlchemy, ReportLab... About a minute the first time, seconds after that." >&2
  .venv/bin/python -m pip install --quiet --upgrade pip
  spec="."
  [ -n "$extras" ] && spec=".[$extras]"
  # pip's own output is a screenful per package; name each package on one line as it comes instead (pip's
  # warnings and errors, on stderr, still show).
  .venv/bin/python -m pip install --disable-pip-version-check -e "$spec" | awk '
    function show(name) { sub(/[<>=!~;[(].*/, "", name); printf " %s", name; open_line = 1; fflush() }
    function end_line() { if (open_line) printf "\n"; open_line = 0; fflush() }
    /^Collecting / { show($2) }
    /^Processing .*\.whl/ { n = split($2, part, "/"); name = part[n]; sub(/-[0-9].*/, "", name); show(name) }
    /^Building wheels for collected/ { end_line() }
    /^Successfully installed/ { count = NF - 2 }
    END { end_line(); print (count ? count " packages installed" : "nothing new to install") }' >&2
  echo "$want" > "$stamp"
fi
