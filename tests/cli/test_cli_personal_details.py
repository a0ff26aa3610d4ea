"""``saypro --as USER`` on a standalone desktop: show, list, search, export and the inquiry PDF withhold the
inquirer's details from Moderator, Marketing and Viewer (issue 13); an agent sees them."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from saypro_desktop.cli.main import main
from saypro_desktop.core.personal_details import WITHHELD

SECRETS = ("Thandiwe", "Nkosi", "thandiwe@example.org", "555 0101", "555 0199", "ACC-778812", "Durban")


@pytest.fixture
def cli(tmp_path, capsys):
    data = tmp_path / "cli-data"

    def run(*args: str) -> tuple[int, str, str]:
        code = main([*args, "--data-dir", str(data)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def ref(cli, tmp_path):
    for user, role in (("viv", "Viewer"), ("mark", "Marketing"), ("mo", "Moderator"), ("anna", "Support Agent")):
        assert cli("staff", "add", user, "--name", user.title(), "--role", role)[0] == 0
    code, out, err = cli("inquiry", "add", "--subject", "Renewal payment failed", "--category", "Payment/Billing",
                         "--mode", "Phone", "--user-type", "Advertiser", "--name", "Thandiwe Nkosi",
                         "--email", "thandiwe@example.org", "--phone", "+27 82 555 0101", "--user-id", "ACC-778812",
                         "--location", "Durban")
    assert code == 0, err
    ref = out.strip()
    # A correction: the history then holds old and new values of a personal field.
    from saypro_desktop.services import inquiries as svc
    from saypro_desktop.services.context import acting
    from saypro_desktop.store import DataPaths, open_store

    store = open_store(DataPaths(tmp_path / "cli-data"))  # the ``cli`` fixture's data folder
    try:
        with acting(store) as ctx:
            svc.update_inquiry(ctx, svc.get_inquiry(ctx, ref), user_phone="+27 82 555 0199")
    finally:
        store.close()
    return ref


def _leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s.lower() in text.lower()]


@pytest.mark.parametrize("user", ["viv", "mark", "mo"])
def test_show_search_list_and_pdf_withhold_the_details(cli, ref, user, tmp_path):
    code, out, err = cli("inquiry", "show", ref, "--as", user)
    assert code == 0, err
    assert _leaks(out) == [] and "Renewal payment failed" in out
    assert f"   {WITHHELD}  <{WITHHELD}>  {WITHHELD}  {WITHHELD}" in out and f"User ID: {WITHHELD}" in out
    assert f"user_phone: {WITHHELD} -> {WITHHELD}" in out  # the history says it changed, not from what to what
    for words in ("thandiwe@example.org", "Nkosi"):
        code, out, _ = cli("inquiry", "search", words, "--as", user)
        assert (code, out.strip()) == (0, f"no inquiry matches {words!r}")
    code, out, _ = cli("inquiry", "search", "renewal", "--as", user)
    assert ref in out and _leaks(out) == []
    code, out, _ = cli("inquiry", "list", "--as", user)
    assert ref in out and _leaks(out) == []
    code, _, err = cli("export", "inquiries", str(tmp_path / "x.csv"), "--as", user)
    assert code == 1 and "may not export data" in err and not (tmp_path / "x.csv").exists()
    pdf = tmp_path / "i.pdf"
    code, _, err = cli("report", "inquiry", ref, "--out", str(pdf), "--as", user)
    assert code == 0, err
    text = " ".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert _leaks(text) == [] and "Renewal payment failed" in text


def test_an_agent_sees_them_everywhere(cli, ref, tmp_path):
    code, out, _ = cli("inquiry", "show", ref, "--as", "anna")
    assert code == 0
    assert "Thandiwe Nkosi  <thandiwe@example.org>  +27 82 555 0199  Durban" in out and WITHHELD not in out
    assert "user_phone: +27 82 555 0101 -> +27 82 555 0199" in out
    code, out, _ = cli("inquiry", "search", "thandiwe@example.org", "--as", "anna")
    assert code == 0 and ref in out
    assert cli("export", "inquiries", str(tmp_path / "a.csv"), "--as", "anna")[0] == 0
    assert "thandiwe@example.org" in (tmp_path / "a.csv").read_text(encoding="utf-8-sig")
