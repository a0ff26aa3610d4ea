"""How the ``saypro`` command starts and ends: help without the heavy stack, a closed pipe without a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from saypro_desktop.cli.main import EXIT_BROKEN_PIPE

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sqlalchemy", "PySide6", "reportlab", "alembic", "httpx", "holidays")

# Runs the real entry point, then lists on stderr every module the process had imported.
LIST_MODULES = """
import sys
from saypro_desktop.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print("MODULES", *sorted(sys.modules), file=sys.stderr)
"""


def _saypro(*args: str, **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", LIST_MODULES, *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, **kw)


@pytest.mark.parametrize("args", [["--help"], ["inquiry", "--help"], ["report", "monthly", "--help"],
                                  ["ads", "--help"], ["sync", "--help"], ["db", "--help"]])
def test_help_does_not_load_the_database_qt_or_pdf_stack(args):
    done = _saypro(*args)
    assert done.returncode == 0, done.stderr
    assert "usage: saypro" in done.stdout
    modules = done.stderr.split("MODULES", 1)[1].split()
    loaded = [m for m in modules if m.split(".")[0] in HEAVY]
    assert not loaded, f"`saypro {' '.join(args)}` imported {loaded[:10]}"


def test_a_command_still_loads_what_it_needs(tmp_path):
    # The check above would pass on a module list that is never filled: a real command must show the stack.
    done = _saypro("db", "check", "--data-dir", str(tmp_path / "data"))
    modules = done.stderr.split("MODULES", 1)[1].split()
    assert "sqlalchemy" in modules


def test_help_says_that_saypro_alone_starts_the_app():
    done = _saypro("--help")
    assert "Without a COMMAND, `saypro` starts the desktop app" in " ".join(done.stdout.split())


def _with_closed_stdout(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run ``saypro ARGS`` with stdout a pipe whose reader has already gone, as under ``| head`` once head quit."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([sys.executable, "-m", "saypro_desktop", *args], stdout=write_end,
                              stderr=subprocess.PIPE, text=True, cwd=ROOT, timeout=120,
                              env={**os.environ, "SAYPRO_DATA_DIR": str(tmp_path / "data")})
    finally:
        os.close(write_end)


def test_a_closed_pipe_ends_quietly_with_the_sigpipe_code(tmp_path):
    done = _with_closed_stdout(["inquiry", "list"], tmp_path)
    assert done.stderr == ""  # no BrokenPipeError traceback, no "Exception ignored" at exit
    assert done.returncode == EXIT_BROKEN_PIPE


def test_help_into_a_closed_pipe_is_quiet(tmp_path):
    # argparse ignores a failed write of the help; what must not follow is a failed flush at exit.
    done = _with_closed_stdout(["--help"], tmp_path)
    assert done.stderr == ""
