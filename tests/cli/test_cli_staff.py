"""``saypro staff set | deactivate | activate`` through the real entry point (issue 13)."""

from __future__ import annotations

from datetime import date, timedelta


def test_an_admin_sets_role_and_expiry_and_deactivates(saypro):
    assert saypro("staff", "add", "lerato", "--name", "Lerato Mokoena", "--role", "Support Agent")[0] == 0
    code, out, err = saypro("staff", "set", "lerato", "--role", "marketing")
    assert (code, out.strip()) == (0, "lerato: role Marketing"), err
    until = date.today() + timedelta(days=30)
    code, out, err = saypro("staff", "set", "lerato", "--expires", until.isoformat())
    assert (code, out.strip()) == (0, f"lerato: access until the end of {until:%d/%m/%Y} (office time)"), err
    listed = saypro("staff", "list")[1]
    assert "lerato" in listed and "Marketing" in listed and f"access until {until:%d/%m/%Y}" in listed
    assert saypro("staff", "set", "lerato", "--no-expiry")[1].strip() == "lerato: access does not expire"
    assert saypro("staff", "deactivate", "lerato")[1].strip() == "lerato: deactivated"
    code, _, err = saypro("inquiry", "list", "--as", "lerato")
    assert code == 1 and "deactivated; ask an Admin to activate it again" in err
    assert saypro("staff", "activate", "lerato")[1].strip() == "lerato: active"
    assert saypro("inquiry", "list", "--as", "lerato")[0] == 0


def test_refusals_are_one_line_saying_what_to_fix(saypro, capsys):
    assert saypro("staff", "add", "vuyo", "--name", "Vuyo", "--role", "Viewer")[0] == 0
    code, _, err = saypro("staff", "set", "lerato", "--role", "Viewer")
    assert code == 1 and "no staff user 'lerato'" in err and "Traceback" not in err
    code, _, err = saypro("staff", "deactivate", "admin")
    assert code == 1 and "cannot deactivate your own account" in err
    code, _, err = saypro("staff", "set", "admin", "--role", "Viewer")
    assert code == 1 and "last active Admin" in err
    code, _, err = saypro("staff", "set", "vuyo", "--expires", "2001-01-01")
    assert code == 1 and "is already past" in err
    code, _, err = saypro("staff", "set", "vuyo", "--role", "Admin", "--as", "vuyo")
    assert code == 1 and "may not manage staff users" in err
    try:
        saypro("staff", "set", "vuyo", "--expires", "31/12/2026")
    except SystemExit as exc:  # argparse: a usage error
        assert exc.code == 2
    assert "write YYYY-MM-DD" in capsys.readouterr().err
    try:
        saypro("staff", "set", "vuyo", "--role", "Viewer", "--no-expiry")
    except SystemExit as exc:
        assert exc.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_an_admin_resets_another_users_password_and_a_viewer_may_not(saypro, monkeypatch, tmp_path):
    import io

    from saypro_desktop.services.staff import sign_in
    from saypro_desktop.store import DataPaths, open_store

    assert saypro("staff", "add", "vuyo", "--name", "Vuyo", "--role", "Viewer")[0] == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("Fresh-pass-2026\n"))
    code, out, err = saypro("staff", "passwd", "vuyo", "--password-stdin")
    assert (code, out.strip()) == (0, "password set for vuyo"), err
    monkeypatch.setattr("sys.stdin", io.StringIO("Other-pass-2026\n"))
    code, _, err = saypro("staff", "passwd", "admin", "--password-stdin", "--as", "vuyo")
    assert code == 1 and "may not manage staff users" in err
    store = open_store(DataPaths(tmp_path / "cli-data"))
    try:
        with store.session() as s:
            assert sign_in(s, "vuyo", "Fresh-pass-2026") is not None
    finally:
        store.close()
