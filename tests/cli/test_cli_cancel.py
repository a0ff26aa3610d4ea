"""``saypro inquiry cancel``: spam and duplicates set aside with their reason; the KPIs count them apart."""

from __future__ import annotations

import json
from datetime import date


def _add(saypro, subject: str) -> str:
    code, out, err = saypro("inquiry", "add", "--subject", subject, "--category", "Payment/Billing", "--mode",
                            "Email", "--user-type", "Advertiser", "--name", "Johan van der Merwe")
    assert code == 0, err
    return out.strip()


def test_cancel_spam_and_a_duplicate(saypro):
    kept, again, spam = _add(saypro, "Charged twice"), _add(saypro, "Charged twice"), _add(saypro, "Cheap watches")
    code, out, err = saypro("inquiry", "cancel", again, "--reason", "duplicate", "--duplicate-of", kept)
    assert (code, out.strip()) == (0, f"{again}: Cancelled (Duplicate of {kept})"), err
    code, out, err = saypro("inquiry", "cancel", spam, "--reason", "spam")
    assert (code, out.strip()) == (0, f"{spam}: Cancelled (Spam)"), err
    code, out, _ = saypro("inquiry", "show", again)
    assert "[x] Cancelled" in out and "Cancelled: Duplicate" in out and kept in out  # linked to the one kept
    code, out, _ = saypro("kpi", "--month", f"{date.today():%Y-%m}", "--json")
    data = json.loads(out)
    assert (data["logged"], data["open"], data["cancelled"]) == (1, 1, 2)
    assert data["cancelled_by_reason"] == {"Spam": 1, "Duplicate": 1, "Test": 0, "Other": 0}
    code, out, _ = saypro("kpi", "--month", f"{date.today():%Y-%m}")
    assert "Cancelled (left out of the KPIs)" in out and "Spam: 1, Duplicate: 1" in out


def test_a_duplicate_without_the_inquiry_kept_is_refused_with_what_to_give(saypro):
    ref = _add(saypro, "Charged twice")
    code, _, err = saypro("inquiry", "cancel", ref, "--reason", "duplicate")
    assert code != 0 and "a duplicate names the inquiry kept" in err
    code, _, err = saypro("inquiry", "cancel", ref, "--reason", "bored")
    assert code != 0 and "'bored' is not a valid cancel reason; choose one of: Spam, Duplicate, Test, Other" in err
