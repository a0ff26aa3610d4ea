"""A built wheel, installed away from the checkout, works: ``pip install .`` must carry the fonts, icons and
migrations that a checkout finds beside the code (issue 15). CI runs this with the rest of the suite."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# What the wheel is built from: the work tree as it is, less what a build or a run leaves behind.
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
                                    ".ruff_cache", ".data", "out")


def _run(args: list[str], cwd: Path, env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel of a copy of this tree, installed with ``pip install --no-deps --target``; its dependencies are
    the test venv's. The copy keeps the build's files (build/, *.egg-info) out of the checkout."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    _run([*pip, "wheel", "--no-deps", "-q", "-w", str(base / "dist"), str(source)], base, dict(os.environ),
         timeout=600)
    wheels = list((base / "dist").glob("saypro_desk-*.whl"))
    assert len(wheels) == 1, wheels
    target = base / "site"
    _run([*pip, "install", "--no-deps", "-q", "--target", str(target), str(wheels[0])], base, dict(os.environ))
    shutil.rmtree(source)  # nothing may be read from the copy either
    return target


@pytest.fixture
def saypro(installed: Path, tmp_path: Path):
    """``python -m saypro_desktop ARGS`` from an empty folder, finding the package only in the install."""
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    env = {**os.environ, "PYTHONPATH": str(installed), "QT_QPA_PLATFORM": "offscreen",
           "SAYPRO_DATA_DIR": str(tmp_path / "data"), "SAYPRO_MACHINE_CONFIG": str(tmp_path / "no-config.ini"),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return _run([sys.executable, "-m", "saypro_desktop", *args], cwd, env)

    run.python = lambda code: _run([sys.executable, "-c", code], cwd, env)  # type: ignore[attr-defined]
    return run


def test_the_wheel_carries_the_resources_and_migrations(installed: Path):
    package = installed / "saypro_desktop"
    assert (package / "resources" / "fonts" / "DejaVuSans.ttf").is_file()
    assert (package / "resources" / "icons" / "saypro.ico").is_file()
    assert list((package / "store" / "migrations" / "versions").glob("0001_*.py"))
    assert (installed / "bin" / "saypro").is_file() or (installed / "Scripts" / "saypro.exe").is_file()


def test_the_package_and_its_resources_come_from_the_install(saypro, installed: Path):
    out = saypro.python("import saypro_desktop, saypro_desktop.resources as r\n"
                        "print(saypro_desktop.__file__)\nprint(r.resources_dir())").stdout.splitlines()
    module, resources = (Path(x).resolve() for x in out)
    assert module.is_relative_to(installed.resolve()), module
    assert resources.is_relative_to(installed.resolve()), resources
    assert not module.is_relative_to(ROOT)


def test_selftest_demo_data_and_the_monthly_report_run_from_the_install(saypro, tmp_path: Path):
    selftest = saypro("selftest").stdout
    assert "self-test passed" in selftest and "fonts embedded" in selftest
    saypro("demo-data", "--inquiries", "40", "--months", "2", "--seed", "3", "--until", "2025-03-31")
    pdf = tmp_path / "scmr5-2025-03.pdf"
    saypro("report", "monthly", "--month", "2025-03", "--out", str(pdf))
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 10_000
