"""The inquiry template PDF: sections, every checkbox option, the timeline, Unicode names, long texts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader

from saypro_desktop.core.vocab import ActionKind, Category, ClassifiedCategory, Mode, Status, UserType
from saypro_desktop.services import inquiries as svc
from saypro_desktop.services.links_and_files import add_attachment, link_inquiries
from saypro_desktop.services.report_files import write_inquiry_pdf
from saypro_desktop.services.staff import create_staff_user
from tests.conftest import draft
from tests.reports.conftest import GENERATED, pdf_pages, pdf_text

SECTIONS = ["Section 1: Inquiry Identification", "Section 2: User Details", "Section 3: Inquiry Details",
            "Section 4: Action Taken / Resolution Process", "Section 5: Status and Review",
            "Section 6: Archival and Reporting"]


@pytest.fixture
def worked(ctx, clock, tmp_path):
    """An inquiry walked through the whole template, logged Tuesday 14/01/2025 10:00 in Johannesburg."""
    agent = create_staff_user(ctx, "zoe", "Zoë Hélène", "Support Agent")
    i = svc.create_inquiry(ctx, draft(
        subject="Payout to the wrong account", category="Other", category_other="Payout routing", mode="Phone",
        user_type="Partner", user_full_name="Ngũgĩ wa Thiong’o", user_email="ngugi@example.org",
        user_phone="+254 700 000 000", user_account_id="U-7781", user_location="Nairobi, Kenya",
        description="Partner payout for December went to an old account.", classified_category="Events"))
    other = svc.create_inquiry(ctx, draft(subject="Related payout"))
    clock.advance(minutes=20)
    svc.assign(ctx, i, agent)
    svc.acknowledge(ctx, i)
    clock.advance(minutes=25)
    svc.add_action_step(ctx, i, "Called the partner to confirm the account number", ActionKind.USER_CONTACT)
    clock.advance(minutes=15)
    svc.change_status(ctx, i, "Escalated", tier="Tier 2", reason="Needs finance sign-off")
    clock.advance(hours=5)
    svc.change_status(ctx, i, "Resolved", resolution="Payout re-issued to the verified account.",
                      user_confirmation="Yes")
    svc.record_feedback(ctx, i, 4, comment="Quick, thank you")
    link_inquiries(ctx, i, other)
    shot = tmp_path / "payout-screenshot.png"
    shot.write_bytes(b"\x89PNG fake image")
    add_attachment(ctx, i, shot)
    svc.update_inquiry(ctx, i, in_monthly_report=True)
    ctx.session.flush()
    return i, other


def test_every_section_in_order_with_header_and_footer(ctx, worked, tmp_path):
    i, _ = worked
    out = write_inquiry_pdf(ctx, i.inquiry_ref, tmp_path / "i.pdf", generated_at=GENERATED)
    text = pdf_text(out)
    positions = [text.index(s) for s in SECTIONS]
    assert positions == sorted(positions)
    assert "SayPro Classified Office" in text and f"Inquiry {i.inquiry_ref}" in text
    assert "Generated at 10/02/2025 12:00 (Africa/Johannesburg)" in text
    pages = pdf_pages(out)
    assert all(p.endswith(f"Page {n} of {len(pages)}") for n, p in enumerate(pages, 1))


def test_every_checkbox_group_prints_all_options_with_the_chosen_ones_ticked(ctx, worked, tmp_path):
    i, _ = worked
    text = pdf_text(write_inquiry_pdf(ctx, i.inquiry_ref, tmp_path / "i.pdf", generated_at=GENERATED))
    groups = {
        "Mode of inquiry": ([m.value for m in Mode], "Phone"),
        "User type": ([u.value for u in UserType], "Partner"),
        "Current status": ([s.value for s in Status], "Resolved"),
        "Classified category affected": ([c.value for c in ClassifiedCategory], "Events"),
    }
    for label, (options, chosen) in groups.items():
        block = text[text.index(label):]
        for option in options:
            mark = "☒" if option == chosen else "☐"
            assert f"{mark} {option}" in block, (label, option)
    for category in Category:
        if category is not Category.OTHER:
            assert f"☐ {category.value}" in text
    assert "☒ Other (please specify): Payout routing" in text
    assert "User confirmation received ☒ Yes ☐ No ☐ N/A" in text
    assert "Escalation to higher-tier support required ☒ Yes ☐ No" in text
    assert ("☐ Tier 2 (Senior support)" not in text and "☒ Tier 2 (Senior support) ☐ Tier 3 (Technical / "
            "development team) ☐ Tier 4 (Management)" in text)
    assert "Included in January 2025 SCMR-5 Monthly Report ☒ Yes ☐ No" in text
    assert "Included in Quarterly Review File (Q1) ☐ Yes ☒ No" in text


def test_identification_timeline_resolution_links_and_attachments(ctx, worked, tmp_path):
    i, other = worked
    text = pdf_text(write_inquiry_pdf(ctx, i.inquiry_ref, tmp_path / "i.pdf", generated_at=GENERATED))
    for expected in [
        f"Inquiry ID {i.inquiry_ref}", "Date logged 14/01/2025", "Time logged 10:00 (24-hour)",
        "Received by Administrator",
        "Full name Ngũgĩ wa Thiong’o", "Contact email ngugi@example.org", "Phone number +254 700 000 000",
        "User ID U-7781", "Location (city/country) Nairobi, Kenya",
        "Subject of inquiry Payout to the wrong account", "Priority Normal (suggested)",
        "Description of the issue or request Partner payout for December went to an old account.",
        "Screenshots or file attachments payout-screenshot.png (15 bytes)",
        "Assigned to Zoë Hélène", "Date assigned 14/01/2025 10:20", "Acknowledged to the user 14/01/2025 10:20",
        # The timeline: date in office time, author, kind, text, oldest first (same minute: order made).
        "14/01/2025 10:20 Administrator Assignment Assigned to Zoë Hélène 14/01/2025 10:20 Administrator "
        "Acknowledgement Receipt acknowledged to the user with the reference number",
        "14/01/2025 10:45 Administrator User contact Called the partner to confirm the account number",
        "14/01/2025 11:00 Administrator Escalation Status In Progress → Escalated (Tier 2: Needs finance sign-off)",
        "14/01/2025 16:00 Administrator Resolution Status Escalated → Resolved",
        "14/01/2025 16:00 Administrator Feedback User feedback: 4/5 – Quick, thank you",
        "Resolution provided Payout re-issued to the verified account.", "Date resolved 14/01/2025 16:00",
        "Resolution time 6.0 hours (0.25 days)", "Escalation reason Needs finance sign-off",
        "Feedback from user 4 / 5 – Quick, thank you", f"Linked inquiry IDs {other.inquiry_ref}",
    ]:
        assert expected in text, expected


@pytest.mark.parametrize("name", ["Nomvula Sithole-Mabaso", "Mariëtte du Plessis", "Zoë", "Hélène", "Ngũgĩ"])
def test_names_beyond_latin_1_come_out_as_written(ctx, tmp_path, name):
    i = svc.create_inquiry(ctx, draft(user_full_name=name))
    out = write_inquiry_pdf(ctx, i.inquiry_ref, tmp_path / "u.pdf", generated_at=GENERATED)
    assert f"Full name {name} " in pdf_text(out)
    fonts = {f["/BaseFont"].split("+")[-1] for page in PdfReader(out).pages
             for f in page["/Resources"]["/Font"].values()}
    assert fonts <= {"DejaVuSans", "DejaVuSans-Bold"}  # no fallback to a Latin-1 base font


def test_a_long_description_flows_onto_further_pages_without_losing_text(ctx, tmp_path):
    words = [f"w{n:04d}" for n in range(3000)]
    description = " ".join(words) + " END-OF-DESCRIPTION"
    i = svc.create_inquiry(ctx, draft(description=description))
    out = write_inquiry_pdf(ctx, i.inquiry_ref, tmp_path / "long.pdf", generated_at=GENERATED)
    pages = pdf_pages(out)
    assert len(pages) >= 3
    text = " ".join(pages)
    assert "END-OF-DESCRIPTION" in text and "Section 6: Archival and Reporting" in text
    found = [w for w in text.split() if len(w) == 5 and w.startswith("w") and w[1:].isdigit()]
    assert found == words  # every word, once, in order: nothing clipped where the pages break


def test_one_very_long_action_step_splits_across_pages(ctx, clock, tmp_path):
    i = svc.create_inquiry(ctx, draft())
    clock.advance(minutes=5)
    svc.add_action_step(ctx, i, " ".join(["step-word"] * 1500) + " STEP-END")
    out = write_inquiry_pdf(ctx, i.inquiry_ref, tmp_path / "step.pdf", generated_at=GENERATED)
    text = pdf_text(out)
    assert text.count("step-word") == 1500 and "STEP-END" in text


def test_without_the_personal_details_permission_they_are_withheld(ctx, store, clock, tmp_path):
    i = svc.create_inquiry(ctx, draft(user_full_name="Hélène Dubois", user_email="helene@example.org"))
    marketing = create_staff_user(ctx, "johan", "Johan Botha", "Marketing")
    ctx.act_as(marketing)
    text = pdf_text(write_inquiry_pdf(ctx, i.inquiry_ref, tmp_path / "m.pdf", generated_at=GENERATED))
    assert "Hélène Dubois" not in text and "helene@example.org" not in text
    assert "Full name withheld (no permission to view personal details)" in text
    assert "☒ Advertiser" in text  # the user category still shows


def test_same_inputs_give_the_same_bytes_and_only_generated_at_varies(ctx, worked, tmp_path):
    i, _ = worked
    one = write_inquiry_pdf(ctx, i.inquiry_ref, tmp_path / "1.pdf", generated_at=GENERATED).read_bytes()
    two = write_inquiry_pdf(ctx, i.inquiry_ref, tmp_path / "2.pdf", generated_at=GENERATED).read_bytes()
    assert one == two
    later = GENERATED + timedelta(days=3, minutes=7)
    three = write_inquiry_pdf(ctx, i.inquiry_ref, tmp_path / "3.pdf", generated_at=later).read_bytes()
    assert three != one
    assert pdf_text(three) == pdf_text(one).replace("10/02/2025 12:00", "13/02/2025 12:07")


def test_an_unresolved_inquiry_says_so(ctx, tmp_path):
    i = svc.create_inquiry(ctx, draft())
    text = pdf_text(write_inquiry_pdf(ctx, i.inquiry_ref, tmp_path / "n.pdf",
                                      generated_at=datetime(2025, 1, 14, 8, 0, tzinfo=UTC)))
    assert "Date resolved Not resolved" in text and "Resolution time Not resolved" in text
    assert "No action steps recorded." in text and "Linked inquiry IDs None" in text
    assert "User confirmation received ☐ Yes ☐ No ☐ N/A" in text
    assert "☒ New" in text and "Escalation to higher-tier support required ☐ Yes ☒ No" in text


def _x_of(path, *needles: str) -> dict[str, float]:
    """Where on the first page each text run starting with one of ``needles`` begins (its x in points)."""
    found: dict[str, float] = {}

    def visit(text, cm, tm, font, size):
        for needle in needles:
            if text.strip().startswith(needle) and needle not in found:
                found[needle] = tm[4] * cm[0] + cm[4]

    PdfReader(path).pages[0].extract_text(visitor_text=visit)
    return found


def test_without_action_steps_the_field_says_so_inside_its_table(ctx, tmp_path):
    i = svc.create_inquiry(ctx, draft())
    out = write_inquiry_pdf(ctx, i.inquiry_ref, tmp_path / "n.pdf", generated_at=datetime(2025, 1, 14, 8, 0,
                                                                                          tzinfo=UTC))
    text = pdf_text(out)
    assert "Action steps taken No action steps recorded. Resolution provided" in text
    assert "step(s)" not in text and "0 step" not in text
    # The words sit in the value column, as every other field's value ("Not assigned"), not at the page margin.
    x = _x_of(out, "No action steps recorded.", "Not assigned", "Action steps taken")
    assert x["No action steps recorded."] == pytest.approx(x["Not assigned"], abs=0.5)
    assert x["No action steps recorded."] > x["Action steps taken"] + 50


def test_the_steps_line_counts_in_words(ctx, clock, tmp_path):
    i = svc.create_inquiry(ctx, draft())
    clock.advance(minutes=5)
    svc.add_action_step(ctx, i, "Checked the account")
    ctx.session.flush()
    text = pdf_text(write_inquiry_pdf(ctx, i.inquiry_ref, tmp_path / "one.pdf", generated_at=GENERATED))
    count = len(i.action_steps)
    assert f"Action steps taken {count} step{'s' if count > 1 else ''}, oldest first:" in text
