"""``saypro selftest``: proves that this installation works, end to end, without touching anyone's data.

It opens a new store in a temporary folder (never the user's data folder), runs the migrations, logs an
inquiry through the services, finds it by full-text search, prints its template PDF with the bundled fonts,
and reports the keyring backend and the Qt version. One line per check (OK, WARN or FAIL, what was found,
how long it took); exit code 0 when nothing failed, 1 otherwise. IT runs it after an install as
``saypro-cli selftest``; CI runs it inside the frozen bundle.

Every check imports what it needs itself, so a module missing from a bundle shows as one FAIL line instead
of a traceback. Qt is imported only by ``ui/selftest_qt.py``, loaded through importlib: this module stays
free of Qt like everything outside ``ui/``.
"""

from __future__ import annotations

import importlib
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__

OK, WARN, FAIL = "OK", "WARN", "FAIL"
SEARCH_WORD = "selftestquokka"
QT_MODULE = "saypro_desktop.ui.selftest_qt"


class CheckWarning(Exception):
    """Raised by a check that passed with a reservation: reported as WARN, which does not fail the run."""


@dataclass
class CheckResult:
    name: str
    status: str
    detail: str
    seconds: float

    def line(self) -> str:
        return f"{self.status:<4}  {self.name:<15} {self.detail} ({self.seconds * 1000:.0f} ms)"


@dataclass
class SelfTest:
    """State shared by the checks of one run: the temporary folder, the store, the inquiry logged."""

    folder: Path
    store: Any = None
    inquiry_ref: str | None = None
    inquiry_id: str | None = None
    results: list[CheckResult] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(r.status == FAIL for r in self.results)


# -- the checks: each returns the detail of its line, raises CheckWarning for WARN, anything else for FAIL --

def check_environment(t: SelfTest) -> str:
    where = f"frozen bundle in {getattr(sys, '_MEIPASS', Path(sys.executable).parent)}" \
        if getattr(sys, "frozen", False) else f"from source in {Path(__file__).resolve().parents[1]}"
    return (f"SayPro Desk {__version__}, Python {platform.python_version()}, {platform.system()} "
            f"{platform.release()} {platform.machine()}, {where}")


def check_resources(t: SelfTest) -> str:
    from .reports.fonts import register_fonts
    from .resources import APP_ICON_ICO, APP_ICON_PNG, resource_path, resources_dir

    folder = resources_dir()
    register_fonts()  # parses the TTF files: proves they are there and readable
    missing = []
    for icon in (APP_ICON_PNG, APP_ICON_ICO):
        try:
            resource_path(icon)
        except FileNotFoundError:
            missing.append(str(icon))
    if missing:
        raise CheckWarning(f"fonts in {folder}, but the app icon is missing: {', '.join(missing)}")
    return f"fonts and icons in {folder}"


def check_machine_config(t: SelfTest) -> str:
    from .machine_config import load_machine_config, machine_config_path
    from .store import resolve_data_dir

    config = load_machine_config()
    user_data = resolve_data_dir().root
    if config.warnings:
        raise CheckWarning("; ".join(config.warnings))
    if config.source is None:
        return f"no {machine_config_path()} (defaults); this user's data folder: {user_data} (not opened)"
    server = config.server_url or "no server URL"
    data_dir = f", [paths] data_dir {config.data_dir}" if config.data_dir else ""
    return f"{config.source}: {server}{data_dir}; this user's data folder: {user_data} (not opened)"


def check_calendar(t: SelfTest) -> str:
    import importlib.resources
    from datetime import date, timedelta

    import tzdata

    from .core.office_settings import OfficeSettings

    settings = OfficeSettings()
    # Windows has no time zone database of its own: the tzdata package must be there (frozen bundles too).
    zone_file = importlib.resources.files("tzdata.zoneinfo").joinpath(*settings.timezone.split("/"))
    if not zone_file.is_file():
        raise RuntimeError(f"the tzdata package has no {settings.timezone}; time zones will fail on Windows")
    calendar = settings.calendar()
    year = date.today().year
    first = date(year, 1, 1)
    days = sum(calendar.holiday_name(first + timedelta(n)) is not None for n in range(365))
    if settings.holiday_country and not days:
        raise RuntimeError(f"no {settings.holiday_country} public holidays found for {year}")
    return (f"{calendar.tz.key} (tzdata {tzdata.IANA_VERSION}), {days} {settings.holiday_country} public holidays "
            f"in {year}")


def check_database(t: SelfTest) -> str:
    import sqlite3

    from .store import DataPaths, open_store
    from .store.database import MIGRATIONS, current_revision, head_revision, search_tables_ok

    t.store = open_store(DataPaths(t.folder / "data"))
    revision = current_revision(t.store.engine)
    if revision != head_revision():
        raise RuntimeError(f"schema {revision} after migrating, expected {head_revision()}")
    if not search_tables_ok(t.store.engine):
        raise RuntimeError("the full-text search table was not created (SQLite without FTS5?)")
    return f"new store migrated to schema {revision} (SQLite {sqlite3.sqlite_version}, migrations in {MIGRATIONS})"


def check_inquiry(t: SelfTest) -> str:
    from .core.validation import InquiryDraft
    from .services.context import acting
    from .services.inquiries import create_inquiry

    draft = InquiryDraft(
        subject=f"Self-test inquiry {SEARCH_WORD}", category="Technical Issue", mode="Email",
        user_type="General Public", user_full_name="Zoë Ngũgĩ", user_email="selftest@example.org",
        description="Logged by 'saypro selftest' in a temporary folder to prove the installation works.")
    with acting(_store(t)) as ctx:
        inquiry = create_inquiry(ctx, draft)
        t.inquiry_ref, t.inquiry_id = inquiry.display_id, inquiry.id
    return f"logged {t.inquiry_ref} as the first Admin"


def check_search(t: SelfTest) -> str:
    from .services.search import search_inquiry_ids

    with _store(t).session() as session:
        found = search_inquiry_ids(session, SEARCH_WORD)
    if _inquiry(t)[1] not in found:
        raise RuntimeError(f"searching for {SEARCH_WORD!r} did not find {t.inquiry_ref} ({len(found)} results)")
    return f"full-text search found {t.inquiry_ref}"


def check_pdf(t: SelfTest) -> str:
    from .services.context import acting
    from .services.report_files import write_inquiry_pdf

    ref, _ = _inquiry(t)
    with acting(_store(t)) as ctx:
        pdf = write_inquiry_pdf(ctx, ref, t.folder / f"{ref}.pdf")
    data = pdf.read_bytes()
    if not data.startswith(b"%PDF-"):
        raise RuntimeError(f"{pdf} is not a PDF")
    if b"DejaVuSans" not in data:
        raise RuntimeError(f"{pdf} does not embed the DejaVu Sans fonts")
    return f"inquiry template PDF, {len(data) / 1024:.0f} KB, fonts embedded"


def check_keyring(t: SelfTest) -> str:
    import keyring

    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if type(backend).__module__ in ("keyring.backends.fail", "keyring.backends.null"):
        raise CheckWarning(f"no system keyring ({name}); only signing in to the sync server needs one")
    inner = getattr(backend, "backends", None)  # the chainer lists the keyrings it tries
    if inner:
        name += " [" + ", ".join(type(b).__name__ + "@" + type(b).__module__.rsplit(".", 1)[-1] for b in inner) + "]"
    return name


def check_qt(t: SelfTest) -> str:
    try:
        module = importlib.import_module(QT_MODULE)
    except ImportError as exc:
        if (exc.name or "").split(".")[0] not in ("PySide6", "shiboken6"):
            raise
        message = f"PySide6 is not installed ({exc}): the command line works, the desktop window cannot start"
        if getattr(sys, "frozen", False):
            raise RuntimeError(message) from exc  # a bundle without Qt is broken
        raise CheckWarning(message) from exc
    return module.check_qt()


def checks() -> list[tuple[str, Callable[[SelfTest], str], tuple[str, ...]]]:
    """(name, check, names of the checks it needs), in the order they run; read at run time so tests can patch."""
    return [
        ("environment", check_environment, ()),
        ("resources", check_resources, ()),
        ("machine config", check_machine_config, ()),
        ("calendar", check_calendar, ()),
        ("database", check_database, ()),
        ("inquiry", check_inquiry, ("database",)),
        ("search", check_search, ("inquiry",)),
        ("pdf", check_pdf, ("inquiry", "resources")),
        ("keyring", check_keyring, ()),
        ("qt", check_qt, ()),
    ]


def _store(t: SelfTest) -> Any:
    if t.store is None:
        raise RuntimeError("no store")
    return t.store


def _inquiry(t: SelfTest) -> tuple[str, str]:
    if t.inquiry_ref is None or t.inquiry_id is None:
        raise RuntimeError("no inquiry")
    return t.inquiry_ref, t.inquiry_id


def _run_one(t: SelfTest, name: str, check: Callable[[SelfTest], str], needs: tuple[str, ...]) -> CheckResult:
    not_ok = [r.name for r in t.results if r.name in needs and r.status == FAIL]
    if not_ok:
        return CheckResult(name, FAIL, f"not run: needs {', '.join(not_ok)}", 0.0)
    start = time.perf_counter()
    try:
        detail, status = check(t), OK
    except CheckWarning as exc:
        detail, status = str(exc), WARN
    except Exception as exc:  # a selftest reports every failure as a line, whatever it is
        detail, status = f"{type(exc).__name__}: {_one_line(str(exc))}", FAIL
    return CheckResult(name, status, detail, time.perf_counter() - start)


def run_selftest(*, keep: bool = False, out: Callable[[str], None] | None = None) -> SelfTest:
    """Run every check in a new temporary folder, printing each line as it completes; see the module doc."""
    emit = out or _print
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="saypro-selftest-"))
    t = SelfTest(folder)
    emit(f"SayPro Desk {__version__} self-test in {folder} (a new temporary folder; no user data is opened)")
    try:
        for name, check, needs in checks():
            result = _run_one(t, name, check, needs)
            t.results.append(result)
            emit(result.line())
    finally:
        if t.store is not None:
            t.store.close()
        if keep:
            emit(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    counts = {s: sum(r.status == s for r in t.results) for s in (OK, WARN, FAIL)}
    verdict = "FAILED" if t.failed else "passed"
    emit(f"self-test {verdict}: {counts[OK]} OK, {counts[WARN]} WARN, {counts[FAIL]} FAIL "
         f"in {time.perf_counter() - started:.2f} s")
    return t


def _print(line: str) -> None:
    # A console with a narrow code page must not turn a report into a UnicodeEncodeError.
    try:
        print(line, flush=True)
    except UnicodeEncodeError:
        encoding = getattr(sys.stdout, "encoding", None) or "ascii"
        print(line.encode(encoding, errors="replace").decode(encoding), flush=True)


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "(no message)"


def main(keep: bool = False) -> int:
    return 1 if run_selftest(keep=keep).failed else 0
