"""The command-line contract of the foundation issue, run through the real entry point."""

from __future__ import annotations

import json
import re
from datetime import date

from saypro_desktop.cli.main import main


def test_add_show_list_search_and_walk_an_inquiry(saypro):
    code, out, _ = saypro("inquiry", "add", "--subject", "Cannot log in", "--category", "Technical Issue",
                          "--mode", "Phone", "--user-type", "Registered User", "--name", "Zoë Naidoo",
                          "--email", "zoe@example.org", "--description", "Locked out after reset")
    assert code == 0
    ref = out.strip()
    assert re.fullmatch(r"SCMR-\d{4}-0001", ref)
    code, out, _ = saypro("inquiry", "show", ref)
    assert code == 0 and "Zoë Naidoo" in out and "[x] Phone" in out and "Priority: High (suggested)" in out
    assert saypro("inquiry", "search", "locked")[1].startswith(ref)
    for status in ("In Progress", "Escalated", "Resolved", "Closed", "Reopened"):
        code, out, err = saypro("inquiry", "set-status", ref, status, "--tier", "Tier 2", "--reason", "Access",
                                "--resolution", "Account unlocked and password reset.", "--confirmation", "Yes")
        assert (code, out.strip()) == (0, f"{ref}: {status}"), err
    month = f"{date.today():%Y-%m}"
    code, out, _ = saypro("inquiry", "list", "--status", "Reopened", "--month", month)
    assert ref in out and "(1 of 1 shown)" in out
    code, out, _ = saypro("kpi", "--month", month, "--json")
    data = json.loads(out)
    assert data["logged"] == 1 and data["reopened"] == 1 and data["escalations_by_tier"]["Tier 2"] == 1


def test_resolving_an_unassigned_inquiry_names_who_handled_it(saypro):
    ref = saypro("inquiry", "add", "--subject", "Ad pending", "--category", "Ad Moderation/Approval", "--mode",
                 "Phone", "--user-type", "Advertiser", "--name", "Hélène Botha")[1].strip()
    assert saypro("staff", "add", "lerato", "--name", "Lerato Mokoena", "--role", "Support Agent")[0] == 0
    resolve = ("inquiry", "set-status", ref, "Resolved", "--resolution", "The ad was approved after review.")
    code, _, err = saypro(*resolve)
    assert code == 1 and "not assigned to anyone: say who handled it" in err
    code, out, err = saypro(*resolve, "--handled-by", "lerato")
    assert (code, out.strip()) == (0, f"{ref}: Resolved"), err
    assert "Assigned to: Lerato Mokoena" in saypro("inquiry", "show", ref)[1]


def test_errors_are_clear_and_exit_non_zero(saypro):
    code, _, err = saypro("inquiry", "add", "--subject", "x", "--category", "Nonsense", "--mode", "Phone",
                          "--user-type", "Partner", "--name", "A B")
    assert code == 1 and "not a valid category of inquiry" in err
    code, _, err = saypro("inquiry", "show", "SCMR-2501-0001")
    assert code == 1 and "no inquiry 'SCMR-2501-0001'" in err
    code, _, err = saypro("kpi", "--month", "2025-13")
    assert code == 1 and "YYYY-MM" in err


def test_as_user_and_staff(saypro):
    assert saypro("staff", "add", "vuyo", "--name", "Vuyo", "--role", "Viewer")[0] == 0
    code, _, err = saypro("inquiry", "add", "--subject", "x", "--category", "Other", "--other", "y", "--mode",
                          "Email", "--user-type", "Partner", "--name", "A B", "--as", "vuyo")
    assert code == 1 and "may not log inquiries" in err
    assert "vuyo" in saypro("staff", "list")[1]


def test_export_import_and_db_commands(saypro, tmp_path):
    saypro("demo-data", "--inquiries", "30", "--months", "2", "--seed", "7", "--until", "2025-03-31")
    out_file = tmp_path / "all.csv"
    code, out, _ = saypro("export", "inquiries", str(out_file))
    assert code == 0 and out.startswith("30 inquiries")
    code, _, err = saypro("import", "inquiries", str(out_file))
    assert code == 1 and "already in this store" in err and "nothing was imported" in err
    code, out, _ = saypro("db", "check")
    assert code == 0 and "integrity ok" in out
    code, out, _ = saypro("db", "backup")
    assert code == 0 and "backup written" in out
    assert saypro("db", "migrate")[0] == 0


def test_demo_data_is_reproducible(tmp_path, capsys):
    def build(name):
        main(["demo-data", "--inquiries", "60", "--months", "3", "--seed", "11", "--until", "2025-03-31",
              "--data-dir", str(tmp_path / name)])
        capsys.readouterr()
        main(["export", "inquiries", str(tmp_path / f"{name}.csv"), "--data-dir", str(tmp_path / name)])
        rows = (tmp_path / f"{name}.csv").read_text(encoding="utf-8-sig").splitlines()
        return rows

    a, b = build("a"), build("b")
    assert a == b and len(a) > 60
    statuses = {line.split(",")[0] for line in a[1:] if line.startswith("SCMR")}
    assert len(statuses) >= 55
