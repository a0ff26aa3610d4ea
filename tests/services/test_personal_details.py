"""Inquirers' personal details on a standalone desktop (issue 13): every read path withholds them from the roles
without VIEW_PERSONAL_DETAILS (Moderator, Marketing, Viewer), an agent still sees them all, and no write saves the
placeholder back."""

from __future__ import annotations

import csv
from datetime import timedelta

import pytest
from pypdf import PdfReader

from saypro_desktop.core.permissions import GRANTS, Permission, PermissionDenied, Role
from saypro_desktop.core.personal_details import WITHHELD, is_withheld
from saypro_desktop.core.validation import PERSONAL_DRAFT_FIELDS, ValidationError
from saypro_desktop.core.vocab import ActionKind
from saypro_desktop.models import AuditEntry, Inquiry
from saypro_desktop.services import inquiries as svc
from saypro_desktop.services.csv_io import ImportRejected, export_inquiries, import_inquiries
from saypro_desktop.services.feedback_views import survey_rows
from saypro_desktop.services.inquiry_table import TableQuery, fetch_rows, row_ids
from saypro_desktop.services.inquiry_views import load_detail
from saypro_desktop.services.links_and_files import copy_for_opening, store_blob
from saypro_desktop.services.report_files import write_inquiry_pdf
from saypro_desktop.services.search import search_hits
from saypro_desktop.services.staff import create_staff_user
from saypro_desktop.services.withholding import withhold_changes
from tests.conftest import draft

WITHHELD_ROLES = [Role.VIEWER, Role.MARKETING, Role.MODERATOR]
PERSON = dict(user_full_name="Thandiwe Nkosi", user_email="thandiwe@example.org", user_phone="+27 82 555 0101",
              user_account_id="ACC-778812", user_location="Durban, South Africa")
SECRETS = ("Thandiwe", "Nkosi", "thandiwe@example.org", "555 0101", "555 0199", "ACC-778812", "Durban")


def _leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s.lower() in text.lower()]


@pytest.fixture
def logged(ctx, clock):
    """An inquiry with every personal detail, its phone then corrected (a history entry with old and new values),
    plus two inquiries of other people logged later (for the order of names)."""
    i = svc.create_inquiry(ctx, draft(subject="Renewal payment failed", **PERSON))
    ctx.session.flush()
    clock.advance(minutes=5)
    svc.update_inquiry(ctx, i, user_phone="+27 82 555 0199", description="Card declined at renewal.")
    clock.advance(minutes=5)
    svc.create_inquiry(ctx, draft(subject="Photo upload fails", user_full_name="Aaron Abrahams",
                                  user_email="aaron@example.org"))
    clock.advance(minutes=5)
    svc.create_inquiry(ctx, draft(subject="Listing expired early", user_full_name="Zanele Zulu",
                                  user_email="zanele@example.org"))
    ctx.session.flush()
    return i


def _as(ctx, role: Role):
    user = create_staff_user(ctx, f"{role.name.lower()}1", f"{role.value} One", role)
    return ctx.act_as(user)


def test_the_validation_fields_are_the_models_personal_fields():
    assert set(PERSONAL_DRAFT_FIELDS) == Inquiry.__sync__.personal
    assert is_withheld(WITHHELD) and is_withheld(" (Withheld) ") and not is_withheld("Withheld Mabuza")


@pytest.mark.parametrize("role", WITHHELD_ROLES)
def test_detail_and_history_withhold_every_personal_field(ctx, logged, role):
    _as(ctx, role)
    detail = load_detail(ctx, logged.id)
    assert {k: detail.values[k] for k in PERSON} == dict.fromkeys(PERSON, WITHHELD)
    assert detail.values["subject"] == "Renewal payment failed"  # the inquiry itself is still there
    phone_edit = [h for h in detail.history if "user_phone" in h.changes]
    assert phone_edit and phone_edit[0].changes["user_phone"] == [WITHHELD, WITHHELD]
    assert phone_edit[0].changes["description"][1] == "Card declined at renewal."  # other values stay
    assert _leaks(repr(detail)) == []


def test_an_agent_sees_every_detail_and_the_history_values(ctx, logged):
    _as(ctx, Role.SUPPORT_AGENT)
    detail = load_detail(ctx, logged.id)
    assert {k: detail.values[k] for k in PERSON} == {**PERSON, "user_phone": "+27 82 555 0199"}
    phone_edit = [h for h in detail.history if "user_phone" in h.changes]
    assert phone_edit[0].changes["user_phone"] == ["+27 82 555 0101", "+27 82 555 0199"]
    assert [h.user_name for h in search_hits(ctx, "thandiwe@example.org")] == ["Thandiwe Nkosi"]


@pytest.mark.parametrize("role", WITHHELD_ROLES)
def test_the_list_shows_no_name_and_neither_searches_nor_sorts_by_one(ctx, clock, logged, role):
    _as(ctx, role)
    now = clock() + timedelta(hours=1)
    everything = row_ids(ctx, TableQuery(), now)
    rows = fetch_rows(ctx, everything)
    assert len(rows) == 3 and {r.user_name for r in rows.values()} == {WITHHELD}
    for words in ("thandiwe@example.org", "Nkosi", "zanele"):
        assert row_ids(ctx, TableQuery(text=words), now) == [], words
    assert len(row_ids(ctx, TableQuery(text="renewal payment"), now)) == 1  # the inquiry's own words still find it
    # Sorted by the user column: the order of the names would tell them; the list comes by the time logged.
    by_name = row_ids(ctx, TableQuery(sort="user", descending=False), now)
    assert by_name == row_ids(ctx, TableQuery(sort="logged_at", descending=False), now)


def test_an_agent_searches_and_sorts_by_name(ctx, clock, logged):
    _as(ctx, Role.SUPPORT_AGENT)
    now = clock() + timedelta(hours=1)
    assert len(row_ids(ctx, TableQuery(text="thandiwe@example.org"), now)) == 1
    ids = row_ids(ctx, TableQuery(sort="user", descending=False), now)
    assert [r.user_name for r in map(fetch_rows(ctx, ids).get, ids)] == ["Aaron Abrahams", "Thandiwe Nkosi",
                                                                          "Zanele Zulu"]


@pytest.mark.parametrize("role", WITHHELD_ROLES)
def test_search_by_a_personal_detail_finds_nothing_and_hits_show_no_name(ctx, logged, role):
    _as(ctx, role)
    for words in ("thandiwe@example.org", "Thandiwe Nkosi", "thandi"):
        assert search_hits(ctx, words) == [], words
    hits = search_hits(ctx, "renewal")
    assert [(h.ref, h.user_name) for h in hits] == [(logged.display_id, WITHHELD)]
    assert search_hits(ctx, logged.display_id)[0].user_name == WITHHELD  # by Inquiry ID, too


@pytest.mark.parametrize("role", WITHHELD_ROLES)
def test_the_inquiry_pdf_prints_no_personal_detail(ctx, logged, role, tmp_path):
    _as(ctx, role)
    text = " ".join(p.extract_text() for p in PdfReader(write_inquiry_pdf(ctx, logged.display_id,
                                                                          tmp_path / "i.pdf")).pages)
    assert _leaks(text) == [] and "Renewal payment failed" in text
    assert text.count("withheld (no permission to view personal details)") == 5


def test_the_agents_pdf_has_the_details(ctx, logged, tmp_path):
    _as(ctx, Role.SUPPORT_AGENT)
    text = " ".join(p.extract_text() for p in PdfReader(write_inquiry_pdf(ctx, logged.display_id,
                                                                          tmp_path / "i.pdf")).pages)
    assert "Thandiwe Nkosi" in text and "thandiwe@example.org" in text and "withheld" not in text


@pytest.mark.parametrize("role", WITHHELD_ROLES)
def test_csv_export_is_refused_and_would_hold_no_detail_nor_import_back(ctx, logged, role, tmp_path,
                                                                         monkeypatch):
    admin = ctx.actor
    _as(ctx, role)
    with pytest.raises(PermissionDenied, match="may not export data"):
        export_inquiries(ctx, tmp_path / "refused.csv")
    assert not (tmp_path / "refused.csv").exists()
    # Should the role ever be given EXPORT, its file still carries no personal detail...
    monkeypatch.setitem(GRANTS, role, GRANTS[role] | {Permission.EXPORT})
    out = tmp_path / "export.csv"
    assert export_inquiries(ctx, out) == 3
    text = out.read_text(encoding="utf-8-sig")
    assert _leaks(text) == []
    rows = list(csv.DictReader(text.splitlines()))
    assert {r["Full Name"] for r in rows} == {WITHHELD} and {r["Contact Email"] for r in rows} == {WITHHELD}
    # ... and importing it never saves the placeholder as a name.
    ctx.act_as(admin)
    with pytest.raises(ImportRejected) as refused:
        import_inquiries(ctx, out)
    assert any(WITHHELD in msg and "may not see" in msg for _, msg in refused.value.problems)


def test_an_agents_export_has_the_details(ctx, logged, tmp_path):
    _as(ctx, Role.SUPPORT_AGENT)
    export_inquiries(ctx, tmp_path / "e.csv")
    text = (tmp_path / "e.csv").read_text(encoding="utf-8-sig")
    assert "Thandiwe Nkosi" in text and "thandiwe@example.org" in text and WITHHELD not in text


def test_a_moderators_note_leaves_the_details_as_they_were(ctx, logged):
    _as(ctx, Role.MODERATOR)
    svc.add_action_step(ctx, logged, "Checked the ad: it breaks no rule", ActionKind.NOTE)
    ctx.session.flush()
    ctx.session.expire_all()
    i = ctx.session.get(Inquiry, logged.id)
    assert (i.user_full_name, i.user_email, i.user_phone) == ("Thandiwe Nkosi", "thandiwe@example.org",
                                                              "+27 82 555 0199")
    with pytest.raises(PermissionDenied):  # and the Moderator cannot edit the inquiry at all
        svc.update_inquiry(ctx, i, subject="x")


@pytest.mark.parametrize("role", WITHHELD_ROLES)
def test_a_form_that_showed_withheld_details_saves_other_fields_and_never_the_placeholder(ctx, logged, role,
                                                                                          monkeypatch):
    """Were such a role allowed to edit inquiries, the detail form sends back what it showed: the placeholder
    leaves each detail as it was, and a real value typed over it is refused (the server refuses it too)."""
    monkeypatch.setitem(GRANTS, role, GRANTS[role] | {Permission.EDIT_INQUIRY})
    _as(ctx, role)
    shown = load_detail(ctx, logged.id).values
    form = {k: shown[k] for k in svc.EDITABLE}
    changed = svc.update_inquiry(ctx, logged, **{**form, "subject": "Renewal payment failed twice"})
    assert changed == ["subject"]
    assert (logged.user_full_name, logged.user_email, logged.user_location) == (
        "Thandiwe Nkosi", "thandiwe@example.org", "Durban, South Africa")
    with pytest.raises(PermissionDenied, match="personal details"):
        svc.update_inquiry(ctx, logged, **{**form, "user_email": "guess@example.org"})
    assert logged.user_email == "thandiwe@example.org"


def test_nobody_saves_the_placeholder_as_a_detail(ctx, logged):
    with pytest.raises(ValidationError, match="stands for a detail"):
        svc.create_inquiry(ctx, draft(user_full_name=WITHHELD))
    # An agent's form holding the placeholder (typed or pasted) changes nothing either.
    assert svc.update_inquiry(ctx, logged, user_full_name=WITHHELD, user_email=" (withheld)") == []
    assert logged.user_full_name == "Thandiwe Nkosi"


def test_survey_rows_withhold_the_contact(ctx, clock, logged):
    svc.change_status(ctx, logged, "Resolved", resolution="The payment went through on the second try.",
                      handled_by=ctx.actor)
    ctx.session.flush()
    _as(ctx, Role.MARKETING)
    rows = survey_rows(ctx).rows
    assert [r.user for r in rows] == [WITHHELD]


def test_audit_changes_of_any_table_lose_personal_values():
    changes = {"from_contact": ["a@b.org", None], "advertiser_phone": [None, "082"], "subject": ["a", "b"]}
    assert withhold_changes(Role.VIEWER, changes) == {"from_contact": [WITHHELD, WITHHELD],
                                                      "advertiser_phone": [WITHHELD, WITHHELD],
                                                      "subject": ["a", "b"]}
    assert withhold_changes(Role.SUPERVISOR, changes) == changes


def test_the_audit_rows_themselves_still_hold_the_values(ctx, logged):
    """Withholding is a read rule: the store keeps the record (the erasure of issue 13 is its own operation)."""
    entries = ctx.session.query(AuditEntry).filter(AuditEntry.entity_id == logged.id).all()
    assert any(e.changes.get("user_phone") == ["+27 82 555 0101", "+27 82 555 0199"] for e in entries)


@pytest.mark.parametrize("role", WITHHELD_ROLES)
def test_attachments_which_may_show_the_details_do_not_open_for_the_role(role, tmp_path):
    scan = tmp_path / "id-document.pdf"
    scan.write_bytes(b"%PDF-1.7 Thandiwe Nkosi's ID")
    root = tmp_path / "attachments"
    sha, _ = store_blob(root, scan)
    with pytest.raises(PermissionDenied, match="personal details"):
        copy_for_opening(root, sha, scan.name, tmp_path / "open", role=role)
    assert not (tmp_path / "open").exists()
    opened = copy_for_opening(root, sha, scan.name, tmp_path / "open", role=Role.SUPPORT_AGENT)
    assert opened.read_bytes() == scan.read_bytes()
