"""Objectivity checks for resolution summaries (User Inquiry Template, use instruction 3)."""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from saypro_desktop.core.text_checks import (
    KNOWN_ACRONYMS,
    Finding,
    FindingKind,
    check_objectivity,
    objectivity_summary,
)

FP, EM, BL, SH = FindingKind.FIRST_PERSON, FindingKind.EMOTIVE, FindingKind.BLAMING, FindingKind.SHOUTING


def found(text: str) -> list[tuple[FindingKind, str, int, int]]:
    findings = check_objectivity(text)
    for f in findings:
        assert text[f.start : f.end] == f.text
    return [(f.kind, f.text, f.start, f.end) for f in findings]


# --- kinds, values and the Finding record ----------------------------------------------------------------------------


def test_kind_values_are_the_labels():
    assert [k.value for k in FindingKind] == ["first person", "emotive", "blaming", "shouting"]
    assert FindingKind.FIRST_PERSON == "first person"


def test_finding_is_frozen():
    f = Finding(FP, 0, 1, "I", "m")
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.start = 3  # type: ignore[misc]


# --- objective text --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "The password was reset and the user confirmed access.",
        "The ad was removed after it expired on 2025-01-31; the advertiser was notified by e-mail.",
        "Refund of ZAR 250.00 processed; VAT invoice sent as a PDF to the registered address.",
        "Status updated: the bus route listing was approved and the glove advert was re-posted.",
        "Determine the cause; the museum's hours were corrected. Yours was not the issue.",
        "Escalated to Tier I; Phase I data migration completed. I/O error cleared, i.e. no data lost.",
        "The OTP was resent by SMS and the user's PIN was reset via the API; POPIA and GDPR notices attached.",
        "Prices are in US dollars (USD); reference SCMR-2501-0147 and SCMR-2412-10234 linked.",
        "Is the listing live?? The user asked twice; the URL was corrected.",
        "Moved to Section VIII of the FAQ under Category XIV.",
        "Contact address me@example.com and https://saypro.online/OUR-TERMS-PAGE were verified.",
    ],
)
def test_objective_sentences_give_no_findings(text):
    assert check_objectivity(text) == []
    assert objectivity_summary(check_objectivity(text)) == ""


# --- first person ----------------------------------------------------------------------------------------------------


def test_first_person_exact_findings_and_message():
    text = "I reset my password and we confirmed it with us."
    assert found(text) == [(FP, "I", 0, 1), (FP, "my", 8, 10), (FP, "we", 24, 26), (FP, "us", 45, 47)]
    assert check_objectivity(text)[0].message == (
        'first person "I": describe what was done ("The password was reset"), not who did it'
    )
    assert check_objectivity(text)[1].message == (
        'first person "my": describe what was done ("The password was reset"), not who did it'
    )


def test_first_person_contractions_straight_and_curly_apostrophes():
    text = "I'm done. I’ve checked; we’re sure, I‘ll call. Let’s close it; we'd agreed."
    assert found(text) == [
        (FP, "I'm", 0, 3),
        (FP, "I’ve", 10, 14),
        (FP, "we’re", 24, 29),
        (FP, "I‘ll", 36, 40),
        (FP, "Let’s", 47, 52),
        (FP, "we'd", 63, 67),
    ]


def test_first_person_is_case_insensitive():
    assert found("OUR team and My colleague; ourselves, MINE, Myself; i fixed it") == [
        (FP, "OUR", 0, 3),
        (FP, "My", 13, 15),
        (FP, "ourselves", 27, 36),
        (FP, "MINE", 38, 42),
        (FP, "Myself", 44, 50),
        (FP, "i", 52, 53),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("determine", []),
        ("mine", [(FP, "mine", 0, 4)]),
        ("status bus campus", []),
        ("us", [(FP, "us", 0, 2)]),
        ("ourselves", [(FP, "ourselves", 0, 9)]),
        ("hours yours tour", []),
        ("ours", [(FP, "ours", 0, 4)]),
        ("welcome, wed, sweep", []),
        ("we", [(FP, "we", 0, 2)]),
        ("myth, dummy, home, meme", []),
        ("me", [(FP, "me", 0, 2)]),
        ("the item is in stock", []),
        ("café mineral, naïve us_er", []),
        ("émy über", []),
    ],
)
def test_first_person_only_on_whole_words(text, expected):
    assert found(text) == expected


def test_unicode_word_boundaries():
    # Accented letters are word characters: "ümy" and "myé" are not "my"; "me" between non-letters is.
    assert found("ümy myé (me) «us»") == [(FP, "me", 9, 11), (FP, "us", 14, 16)]


def test_i_as_numeral_or_code_is_not_first_person():
    assert found("Tier I, tier I, TIER I, Phase I, phase  I, Phase\nI, World War I, Annex I") == [(SH, "TIER", 16, 20)]
    assert found("I/O, A/I, R&I, I-9, i.e. fine, I.T. desk") == []
    assert found("Part I and Step I and Type I") == []


def test_i_after_numeral_words_used_as_nouns_is_still_first_person():
    assert found("the part I changed") == [(FP, "I", 9, 10)]
    assert found("the prototype I checked") == [(FP, "I", 14, 15)]
    assert found("Tiered I think") == [(FP, "I", 7, 8)]


def test_capital_us_is_the_country_but_lower_case_us_is_first_person():
    assert found("a US bank emailed us") == [(FP, "us", 18, 20)]
    assert found("Us too") == [(FP, "Us", 0, 2)]


# --- emotive ---------------------------------------------------------------------------------------------------------


def test_emotive_exact_findings_and_messages():
    text = "Unfortunately the upload failed; the form is terrible. Sorry for the delay."
    assert found(text) == [(EM, "Unfortunately", 0, 13), (EM, "terrible", 45, 53), (EM, "Sorry", 55, 60)]
    messages = [f.message for f in check_objectivity(text)]
    assert messages == [
        'emotive "Unfortunately": drop it and state the outcome ("The refund was declined")',
        'emotive "terrible": state what happened, not how it felt or what anyone thinks of it',
        'emotive "Sorry": an apology belongs in the reply to the user, not in the resolution record',
    ]


@pytest.mark.parametrize(
    "word",
    ["sadly", "luckily", "hopefully", "frankly", "obviously", "clearly", "awful", "horrible", "ridiculous", "stupid",
     "silly", "annoying", "annoyed", "frustrating", "frustrated", "angry", "upset", "rude", "hate", "love", "amazing",
     "fantastic", "disgusting", "pathetic", "useless", "incompetent", "crazy", "insane", "nightmare", "sorry",
     "apologies"],
)  # fmt: skip
def test_emotive_words_flagged_in_any_case(word):
    text = f"It was {word.upper()[:1]}{word[1:]} and {word.upper()}."
    first = 7
    second = first + len(word) + 5
    expected = [(EM, first, first + len(word)), (EM, second, second + len(word))]
    assert [(k, s, e) for k, _, s, e in found(text)] == expected


@pytest.mark.parametrize("text", ["glove", "gloves", "clover", "cleared", "whatever", "rudeness-free", "sorryish"])
def test_emotive_words_do_not_match_inside_other_words(text):
    assert found(text) == []


def test_emotive_inflections():
    assert found("loved it, hated it, terribly slow") == [
        (EM, "loved", 0, 5),
        (EM, "hated", 10, 15),
        (EM, "terribly", 20, 28),
    ]


# --- blaming ---------------------------------------------------------------------------------------------------------


def test_blaming_exact_findings_and_messages():
    text = "It was the user's fault. The user failed to upload the ID. User error, as usual."
    assert found(text) == [
        (BL, "user's fault", 11, 23),
        (BL, "The user failed to", 25, 43),
        (BL, "User error", 59, 69),
        (BL, "as usual", 71, 79),
    ]
    messages = [f.message for f in check_objectivity(text)]
    assert messages[0] == (
        'blaming "user\'s fault": describe what happened ("The form was submitted without an ID"), not whose fault'
    )
    assert messages[3] == 'blaming "as usual": record this inquiry\'s facts; cite earlier inquiries by reference number'


def test_second_person_blame_is_blaming():
    text = "Your fault. You failed to pay. You should have known."
    assert found(text) == [
        (BL, "Your fault", 0, 10),
        (BL, "You failed to", 12, 25),
        (BL, "You should have known", 31, 52),
    ]


def test_blaming_phrases_accept_curly_apostrophes_and_any_whitespace():
    text = "the advertiser’s own fault; the customer\nfailed  to reply; they didn’t bother; should’ve known"
    assert found(text) == [
        (BL, "advertiser’s own fault", 4, 26),
        (BL, "the customer\nfailed  to", 28, 51),
        (BL, "didn’t bother", 64, 77),
        (BL, "should’ve known", 79, 94),
    ]
    # The message and the summary show the phrase on one line.
    assert check_objectivity(text)[1].message.startswith('blaming "the customer failed to": ')


@pytest.mark.parametrize(
    "phrase",
    ["their fault", "users' fault", "carelessly", "careless", "ignored our instructions", "ignored the instructions",
     "did not bother", "again and again", "for the third time", "yet again", "should have known"],
)  # fmt: skip
def test_blaming_phrases(phrase):
    text = f"Note: {phrase}."
    assert found(text) == [(BL, phrase, 6, 6 + len(phrase))]


def test_longest_finding_wins_over_contained_words():
    # "our" inside "ignored our instructions" is not a second, overlapping finding.
    assert found("They ignored our instructions; our reply stands.") == [
        (BL, "ignored our instructions", 5, 29),
        (FP, "our", 31, 34),
    ]
    # "SORRY" is emotive and all caps: one finding, the emotive one.
    assert found("SORRY") == [(EM, "SORRY", 0, 5)]
    assert found("MYSELF") == [(FP, "MYSELF", 0, 6)]


def test_findings_are_sorted_and_never_overlap():
    text = "AS USUAL I'm SO ANNOYED, the USER'S FAULT!!! Unfortunately we ignored our instructions again and again."
    findings = check_objectivity(text)
    assert [f.start for f in findings] == sorted(f.start for f in findings)
    assert all(a.end <= b.start for a, b in itertools.pairwise(findings))
    assert found(text) == [
        (BL, "AS USUAL", 0, 8),
        (FP, "I'm", 9, 12),
        (EM, "ANNOYED", 16, 23),
        (BL, "USER'S FAULT", 29, 41),
        (SH, "!!!", 41, 44),
        (EM, "Unfortunately", 45, 58),
        (FP, "we", 59, 61),
        (BL, "ignored our instructions", 62, 86),
        (BL, "again and again", 87, 102),
    ]


# --- shouting --------------------------------------------------------------------------------------------------------


def test_shouting_words_and_punctuation_exact():
    text = "PLEASE note the NEW form is URGENT!! Done?! Really??"
    assert found(text) == [(SH, "PLEASE", 0, 6), (SH, "URGENT", 28, 34), (SH, "!!", 34, 36), (SH, "?!", 41, 43)]
    messages = [f.message for f in check_objectivity(text)]
    assert messages[0] == 'shouting "PLEASE": write it in normal case ("please")'
    assert messages[2] == 'shouting "!!": end the sentence with a single full stop or question mark'


def test_single_marks_and_question_runs_are_not_shouting():
    assert found("Done! Really? Really??") == []


def test_acronyms_are_not_shouting():
    words = ["SCMR", "HTTP", "HTTPS", "SAST", "GDPR", "POPIA", "ID", "URL", "PDF", "CSV", "SMS", "OTP", "VAT", "FAQ",
             "API", "SSL", "TLS", "IT", "PIN", "ZAR", "USD", "UTC", "CRM", "KPI", "SLA"]  # fmt: skip
    assert set(words) <= KNOWN_ACRONYMS
    assert found(" ".join(words) + " POPIA's GDPR’S PDFs") == []


def test_only_words_of_four_or_more_letters_shout():
    assert found("THE NEW ABC FORM") == [(SH, "FORM", 12, 16)]


def test_inquiry_references_and_codes_are_not_shouting():
    assert found("See SCMR-2501-0147, SCMR-2412-10234 and SCMR-2501-PAB12-3; code ABCD1234, COVID-19, XVII.") == []
    # A similar-looking word that is not a reference still shouts.
    assert found("SCMRX-2501-0147 WARNING") == [(SH, "WARNING", 16, 23)]


def test_shouting_compounds_and_contractions():
    assert found("DON'T RE-SUBMIT, E-MAIL it") == [
        (SH, "DON'T", 0, 5),
        (SH, "RE-SUBMIT", 6, 15),
        (SH, "E-MAIL", 17, 23),
    ]


def test_shouting_in_other_scripts():
    assert found("ВНИМАНИЕ: готово") == [(SH, "ВНИМАНИЕ", 0, 8)]


# --- protected spans -------------------------------------------------------------------------------------------------


def test_addresses_are_not_checked():
    text = "Sent to we.help@example.com and www.example.com/MY-ACCOUNT!! then we closed it."
    assert found(text) == [(FP, "we", 66, 68)]


# --- summary ---------------------------------------------------------------------------------------------------------


def test_summary_groups_by_kind_in_enum_order_and_deduplicates():
    text = "URGENT: Sadly I’m sure I reset it; I'M told it's the user’s fault. i did it. sadly!!"
    findings = check_objectivity(text)
    assert objectivity_summary(findings) == (
        'Subjective or personal language: first person "I’m", "I"; emotive "Sadly"; '
        'blaming "user’s fault"; shouting "URGENT", "!!"'
    )


def test_summary_of_nothing_is_empty():
    assert objectivity_summary([]) == ""
    assert objectivity_summary(iter(())) == ""


def test_summary_is_one_line_and_accepts_any_iterable():
    text = "the user\nfailed\tto sign in; we retried"
    summary = objectivity_summary(f for f in check_objectivity(text))
    assert summary == 'Subjective or personal language: first person "we"; blaming "the user failed to"'
    assert "\n" not in summary


def test_summary_orders_words_by_position_not_input_order():
    findings = check_objectivity("we and my")
    assert objectivity_summary(reversed(findings)) == 'Subjective or personal language: first person "we", "my"'
