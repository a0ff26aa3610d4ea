#!/usr/bin/env bash
# Builds the PyInstaller bundle (build.spec) and proves it works: the frozen `saypro-cli selftest` runs
# headless and must pass, the windowed app must start and stay up; then prints the bundle's size and the
# frozen start-up times. Exits non-zero if any of that fails. CI runs it after the tests (.ci/run).
#
#   scripts/build_bundle.sh            -> build/ (PyInstaller's work folder) and "dist/SayPro Desk/"
#
# On Windows the same spec gives "SayPro Desk.exe" and saypro-cli.exe (.github/workflows/windows-build.yml).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh desktop,build

bundle="dist/SayPro Desk"
cli="$bundle/saypro-cli"
gui="$bundle/SayPro Desk"
export QT_QPA_PLATFORM=offscreen  # no display here; Qt draws into memory

ms_now() { date +%s%N; }
elapsed_ms() { echo $(( ($(ms_now) - $1) / 1000000 )); }

start=$(ms_now)
.venv/bin/pyinstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build build.spec
build_ms=$(elapsed_ms "$start")

# The frozen self-test: migrations, an inquiry, search, the PDF with the bundled fonts, keyring, Qt.
report="$(mktemp)"
trap 'rm -f "$report"' EXIT
start=$(ms_now)
if ! "$cli" selftest | tee "$report"; then
  echo "build_bundle: the frozen self-test FAILED (see the FAIL lines above)" >&2
  exit 1
fi
selftest_ms=$(elapsed_ms "$start")

start=$(ms_now)
"$cli" --help > /dev/null
help_ms=$(elapsed_ms "$start")

# The windowed executable must start (Qt, the sign-in window, a new store) and wait at sign-in; the self-test
# above has imported every UI module (the main window's are imported after sign-in).
# `timeout` ends it after a few seconds: exit code 124 means it was still running, anything else a crash.
smoke_dir="$(mktemp -d)"
set +e
timeout 6 "$gui" --data-dir "$smoke_dir" > "$smoke_dir/stdout.txt" 2>&1
gui_code=$?
set -e
if [ "$gui_code" -ne 124 ]; then
  echo "build_bundle: the windowed app exited with code $gui_code instead of waiting at sign-in:" >&2
  tail -20 "$smoke_dir/stdout.txt" "$smoke_dir"/logs/*.log >&2 || true
  exit 1
fi
rm -rf "$smoke_dir"

size="$(du -sh "$bundle" | cut -f1)"
files="$(find "$bundle" -type f | wc -l)"
passed="$(grep -cE '^(OK|WARN) ' "$report" || true)"
failed="$(grep -cE '^FAIL ' "$report" || true)"
echo
echo "bundle: $bundle, $size in $files files (built in $((build_ms / 1000)) s)"
echo "frozen start-up: 'saypro-cli selftest' ${selftest_ms} ms wall, 'saypro-cli --help' ${help_ms} ms wall"
echo "windowed app: started and waited at sign-in"
echo "selftest: $passed passed, $failed failed"
