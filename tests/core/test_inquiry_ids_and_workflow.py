import pytest

from saypro_desktop.core.inquiry_ids import InquiryId, is_provisional, provisional_ref
from saypro_desktop.core.periods import Period
from saypro_desktop.core.vocab import Category, Mode, Priority, Quarter, Status
from saypro_desktop.core.workflow import OPEN_STATUSES, TRANSITIONS, TransitionError, check_transition, suggest_priority


def test_id_format_four_then_five_digits():
    assert str(InquiryId(2025, 1, 147)) == "SCMR-2501-0147"
    assert str(InquiryId(2025, 12, 10_000)) == "SCMR-2512-10000"
    assert InquiryId.parse("scmr-2501-0147") == InquiryId(2025, 1, 147)


@pytest.mark.parametrize("bad", ["SCMR-2513-0001", "SCMR-2501-147", "SCMR-2501-00001", "XYZ-2501-0001", "",
                                 "SCMR-2501-0000"])
def test_bad_ids_are_refused_with_the_expected_shape(bad):
    with pytest.raises(ValueError, match=r"SCMR-YYMM-####|month|sequence"):
        InquiryId.parse(bad)


def test_provisional_reference_shape():
    ref = provisional_ref(2025, 2, "a1b2", 3)
    assert ref == "SCMR-2502-PA1B2-3" and is_provisional(ref)


def test_vocab_parse_accepts_labels_and_names_and_explains_choices():
    assert Mode.parse("live chat") is Mode.LIVE_CHAT
    assert Mode.parse("In-person") is Mode.IN_PERSON
    assert Category.parse("payment/billing") is Category.PAYMENT_BILLING
    with pytest.raises(ValueError, match="Email, Phone, Live Chat"):
        Mode.parse("Fax")


def test_quarters_and_periods():
    assert [Quarter.of_month(m).value for m in (1, 3, 4, 9, 12)] == ["Q1", "Q1", "Q2", "Q3", "Q4"]
    q = Period.quarter("2025Q1")
    assert (q.first.isoformat(), q.last.isoformat()) == ("2025-01-01", "2025-03-31")
    assert [m.label for m in q.months] == ["January 2025", "February 2025", "March 2025"]
    assert Period.month("2024-02").last.day == 29
    with pytest.raises(ValueError, match="YYYY-MM"):
        Period.month("2025-13")


@pytest.mark.parametrize("current", list(Status))
@pytest.mark.parametrize("target", list(Status))
def test_every_transition_is_either_allowed_or_refused_with_the_options(current, target):
    if target in TRANSITIONS[current]:
        check_transition(current, target)
    else:
        with pytest.raises(TransitionError) as err:
            check_transition(current, target)
        assert current.value in str(err.value)


def test_the_workflow_graph():
    assert TRANSITIONS[Status.NEW] == {Status.IN_PROGRESS, Status.ESCALATED, Status.RESOLVED, Status.CANCELLED}
    assert TRANSITIONS[Status.CLOSED] == {Status.REOPENED}
    assert Status.CLOSED not in TRANSITIONS[Status.NEW]
    # Only open inquiries are set aside; a cancelled one only goes back into work.
    assert {s for s in Status if Status.CANCELLED in TRANSITIONS[s]} == set(OPEN_STATUSES)
    assert TRANSITIONS[Status.CANCELLED] == {Status.IN_PROGRESS}


@pytest.mark.parametrize(("category", "subject", "expected"), [
    (Category.PAYMENT_BILLING, "Invoice request", Priority.HIGH),
    (Category.TECHNICAL_ISSUE, "Cannot log in to my account", Priority.HIGH),
    (Category.TECHNICAL_ISSUE, "Account hacked, ads changed", Priority.CRITICAL),
    (Category.CLASSIFIED_AD_POSTING, "Ad submission fails at payment step", Priority.HIGH),
    (Category.CLASSIFIED_AD_POSTING, "How to post a job advert", Priority.NORMAL),
    (Category.FEATURE_REQUEST, "Add dark mode", Priority.LOW),
    (Category.TECHNICAL_ISSUE, "Images look blurry", Priority.NORMAL),
])
def test_priority_suggestion(category, subject, expected):
    assert suggest_priority(category, subject) is expected
