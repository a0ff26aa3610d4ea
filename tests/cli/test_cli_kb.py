"""The knowledge-base and canned-reply commands through the real entry point."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo


def test_articles_and_replies_on_the_command_line(saypro, tmp_path):
    body = tmp_path / "refunds.md"
    body.write_text("# Duplicate charges\n\nIf your card was charged twice, the second charge is refunded within "
                    "5 working days.\n", encoding="utf-8")
    code, out, err = saypro("kb", "add", "--title", "Duplicate charges and refunds", "--category", "payment issues",
                            "--body-file", str(body))
    assert code == 0 and out.startswith("article ") and "(Published)" in out, err
    article = out.split()[1]
    code, _, err = saypro("kb", "add", "--title", "Refund times", "--category", "Refunds", "--body-file", str(body))
    assert code == 1 and "not a valid article category" in err and "Payment Issues" in err
    assert saypro("staff", "add", "viv", "--name", "Viv Ewer", "--role", "Viewer")[0] == 0
    code, _, err = saypro("--as", "viv", "kb", "add", "--title", "Refund times", "--category", "Payment Issues",
                          "--body-file", str(body))
    assert code == 1 and "write and edit knowledge-base articles" in err
    code, out, _ = saypro("--as", "viv", "kb", "search", "refund", "--json")
    assert [h["title"] for h in json.loads(out)] == ["Duplicate charges and refunds"], "a Viewer reads"
    code, out, _ = saypro("kb", "suggest", "--subject", "Charged twice for my ad", "--json")
    assert json.loads(out)[0]["id"].startswith(article)
    code, out, _ = saypro("kb", "show", article)
    assert code == 0 and "Payment Issues · Published" in out and "refunded within 5 working days" in out

    code, out, err = saypro("inquiry", "add", "--subject", "Charged twice", "--category", "Payment/Billing",
                            "--mode", "Phone", "--user-type", "Advertiser", "--name", "Johan van der Merwe",
                            "--email", "johan@example.org")
    assert code == 0, err
    ref = next(w for w in out.split() if w.startswith("SCMR-"))
    assert saypro("kb", "link", ref, article)[0] == 0
    assert saypro("kb", "vote", article, "helpful", "--inquiry", ref)[0] == 0
    code, out, _ = saypro("kb", "search", "refund")
    assert "(+1/-0)" in out

    code, out, _ = saypro("reply", "show", "ack", "--inquiry", ref)
    assert code == 0 and out.startswith("Dear Johan van der Merwe,") and ref in out
    bad = tmp_path / "bad.txt"
    bad.write_text("Your refund of {amount} is on its way.", encoding="utf-8")
    code, _, err = saypro("reply", "set", "refund-done", "--title", "Refund", "--use", "Resolution",
                          "--body-file", str(bad))
    assert code == 1 and "unknown placeholder {amount}" in err and "{inquiry_id}" in err
    good = tmp_path / "good.txt"
    good.write_text("The duplicate charge for {inquiry_id} was refunded.", encoding="utf-8")
    assert saypro("reply", "set", "refund-done", "--title", "Refund", "--use", "Resolution",
                  "--body-file", str(good))[0] == 0
    code, out, _ = saypro("reply", "list", "--json")
    assert {r["name"]: r["built_in"] for r in json.loads(out)}["refund-done"] is False
    code, out, _ = saypro("reply", "show", "refund-done", "--inquiry", ref)
    assert out.strip() == f"The duplicate charge for {ref} was refunded."


def test_feedback_on_the_command_line(saypro, tmp_path):
    code, out, err = saypro("inquiry", "add", "--subject", "Charged twice", "--category", "Payment/Billing",
                            "--mode", "Phone", "--user-type", "Advertiser", "--name", "Johan van der Merwe",
                            "--email", "johan@example.org")
    ref = next(w for w in out.split() if w.startswith("SCMR-"))
    code, _, err = saypro("feedback", "add", ref, "--rating", "4")
    assert code == 1 and "once the inquiry is resolved" in err
    assert saypro("inquiry", "assign", ref, "admin")[0] == 0
    code, _, err = saypro("inquiry", "set-status", ref, "Resolved", "--resolution", "Refunded the second charge.")
    assert code == 0, err
    code, out, _ = saypro("feedback", "survey")
    assert ref in out and "To ask" in out
    assert saypro("feedback", "survey", "--mark", ref, "asked")[0] == 0
    assert ref not in saypro("feedback", "survey")[1]
    ratings = tmp_path / "ratings.csv"
    ratings.write_text(f"inquiry_id,rating,comment\n{ref},9,\n", encoding="utf-8")
    code, _, err = saypro("import", "feedback", str(ratings))
    assert code == 1 and "line 2" in err and "1 to 5" in err
    ratings.write_text(f"inquiry_id,rating,comment\n{ref},2,The refund took two weeks\n", encoding="utf-8")
    code, out, err = saypro("import", "feedback", str(ratings))
    assert code == 0 and "1 rating(s) imported" in out, err
    code, out, err = saypro("feedback", "record", "--source", "Social media",
                            "--text", "The app keeps crashing when I upload photos")
    assert code == 0 and "Technical issue, negative, high priority" in out, err
    today = datetime.now(ZoneInfo("Africa/Johannesburg")).date()  # the office's day, as the analysis reads it
    week = "{}-W{:02d}".format(*today.isocalendar()[:2])
    code, out, err = saypro("feedback", "analysis", "--week", week, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["themes"][0]["theme"] == "Technical issue" and data["ratings"] == 1
    assert data["top_queries"][0]["label"] == "Charged twice"
    code, _, err = saypro("feedback", "analysis", "--week", "2026-W54")
    assert code == 1 and "2026 has weeks W01 to W53" in err


def test_the_feedback_report_on_the_command_line(saypro, tmp_path):
    from tests.reports.conftest import pdf_text

    assert saypro("feedback", "record", "--source", "Survey", "--text", "Upload fails every time, terrible")[0] == 0
    today = datetime.now(ZoneInfo("Africa/Johannesburg")).date()
    notes = tmp_path / "notes.txt"
    notes.write_text("Fix the photo upload first.\n\nThen the refund wording.", encoding="utf-8")
    out = tmp_path / "fb.pdf"
    code, printed, err = saypro("report", "feedback", "--from", f"{today.replace(day=1)}", "--to", f"{today}",
                                "--out", str(out), "--csv", "--recommendations-file", str(notes))
    assert code == 0 and f"written {out}" in printed, err
    text = pdf_text(out)
    assert "1 other feedback item(s) were recorded" in text and "Fix the photo upload first." in text
    assert "Technical issue" in out.with_suffix(".csv").read_text(encoding="utf-8-sig")
    code, _, err = saypro("report", "feedback", "--from", f"{today}", "--to", f"{today.replace(day=1, year=2020)}",
                          "--out", str(tmp_path / "x.pdf"))
    assert code == 1 and "ends" in err and "before it starts" in err
