"""Objectivity checks for resolution summaries.

The User Inquiry Template, use instruction 3: "Resolution summaries must be objective and free of
subjective or personal language." :func:`check_objectivity` finds first-person words, emotive words,
blaming phrases and shouting, with character offsets so the editor can underline them as the agent
types; :func:`objectivity_summary` turns the findings into one line for the error shown when a
resolution is saved.

Matching is case-insensitive, on whole words and phrases (Unicode word boundaries), and accepts
straight and curly apostrophes. Deliberately not flagged:

* ``I`` as a numeral or code: after "Tier", "Phase", "Annex", ... in any case, after capitalised
  "Part", "Step", "Type", ... ("Part I" but not "the part I changed"), next to ``/``, ``-`` or ``&``
  ("I/O"), and in "i.e." or "I.T.";
* ``US`` written in capitals (the country, "US dollars");
* anything inside an e-mail address, a web address or an inquiry reference;
* capitals in known acronyms (:data:`KNOWN_ACRONYMS`), Roman numerals and codes containing digits.

Where findings would overlap, the longest wins ("ignored our instructions" is one blaming finding,
not also first-person "our"), so the result never holds overlapping findings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["KNOWN_ACRONYMS", "Finding", "FindingKind", "check_objectivity", "objectivity_summary"]


class FindingKind(StrEnum):
    FIRST_PERSON = "first person"
    EMOTIVE = "emotive"
    BLAMING = "blaming"  # includes second-person blame ("your fault", "you failed to")
    SHOUTING = "shouting"  # ALL CAPS words of 4+ letters, and runs such as "!!" or "?!"


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    start: int  # character offsets into the checked text: text[start:end] == self.text
    end: int
    text: str  # the flagged words as written
    message: str  # a short, specific suggestion


# Capitals that are not shouting. Only words of 4+ letters can shout; the short ones are listed
# for completeness so the list reads as the office's acronym list.
KNOWN_ACRONYMS: frozenset[str] = frozenset(
    {
        "SCMR", "ID", "URL", "PDF", "CSV", "SMS", "OTP", "VAT", "FAQ", "HTTP", "HTTPS", "API", "SSL", "TLS",
        "IT", "PIN", "ZAR", "USD", "SAST", "UTC", "CRM", "KPI", "SLA", "GDPR", "POPIA",
        "SAYPRO", "HTML", "JSON", "SMTP", "IMAP", "USSD", "SARS", "FICA",
    }
)  # fmt: skip

_APOS = "['\u2019\u2018\u02bc]"  # ' ’ ‘ ʼ
_WORD_START = r"(?<!\w)(?<!\w['\u2019\u2018])"
_WORD_END = r"(?!\w)(?!['\u2019\u2018]\w)"

_FIRST_PERSON_WORDS = (
    "I", "I'm", "I've", "I'd", "I'll", "me", "my", "mine", "myself",
    "we", "we're", "we've", "we'd", "we'll", "us", "let's", "our", "ours", "ourselves",
)  # fmt: skip

_EMOTIVE_ADVERBS = (
    "unfortunately", "fortunately", "sadly", "luckily", "thankfully", "regrettably", "hopefully",
    "frankly", "honestly", "obviously", "clearly",
)  # fmt: skip
_EMOTIVE_WORDS = (
    "terrible", "terribly", "awful", "awfully", "horrible", "horribly", "ridiculous", "ridiculously",
    "stupid", "silly", "dumb", "idiot", "idiotic", "absurd", "annoying", "annoyed", "frustrating",
    "frustrated", "frustration", "angry", "angrily", "furious", "upset", "rude", "rudely", "hate", "hates",
    "hated", "love", "loves", "loved", "amazing", "fantastic", "wonderful", "awesome", "disgusting",
    "disgraceful", "pathetic", "useless", "incompetent", "lazy", "crazy", "insane", "nightmare",
    "shocking", "appalling", "outrageous",
)  # fmt: skip
_APOLOGY_WORDS = ("sorry", "apologies", "apologise", "apologize", "apologised", "apologized")

_PARTIES = r"(?:user|customer|client|caller|advertiser)"
# Phrase patterns: a space stands for any run of whitespace, an apostrophe for any apostrophe.
_FAULT_PHRASES = (
    _PARTIES + r"(?:'s|s') (?:own )?fault",
    r"(?:your|their|his|her) (?:own )?fault",
    r"(?:the )?" + _PARTIES + r"s? (?:failed|neglected|refused) to",
    r"(?:you|they|he|she) (?:failed|neglected|refused) to",
    r"you should(?: have|'ve)(?: known)?",
    r"should(?: have|'ve) known",
    r"should know better",
    _PARTIES + r" errors?",
    r"careless(?:ly|ness)?",
    r"negligen(?:t|tly|ce)",
    r"clueless",
    r"ignored (?:(?:all )?(?:of )?(?:our|my|the) )?(?:instructions|guidelines|advice|warnings?|reminders?|e-?mails?)",
    r"(?:did not|didn't|never) bother(?:ed)?",
    r"could(?: not|n't) be bothered",
)
_REPEAT_PHRASES = (
    r"as usual",
    r"as always",
    r"yet again",
    r"again and again",
    r"over and over(?: again)?",
    r"for the (?:second|third|fourth|fifth|sixth|tenth|umpteenth|hundredth|nth|\d+(?:st|nd|rd|th)) time",
    r"as (?:I|we) (?:already |previously )?(?:told|explained|said)",
)

# "I" is a numeral after these words ("Tier I", "Phase I", "World War I"). Words that often come
# before the pronoun ("the part I changed", "the step I took") count only when capitalised ("Part I").
_NUMERAL_AFTER_ANY_CASE = ("tier", "phase", "grade", "annex", "appendix", "schedule", "chapter", "volume", "article")
_NUMERAL_AFTER_CAPITALISED = ("type", "class", "part", "step", "stage", "level", "section", "book", "category")
_NUMERAL_CONTEXT = re.compile(
    r"(?<!\w)(?:(?i:"
    + "|".join((*_NUMERAL_AFTER_ANY_CASE, r"world\s+war"))
    + ")|"
    + "|".join(w for word in _NUMERAL_AFTER_CAPITALISED for w in (word.capitalize(), word.upper()))
    + r")\s+$"
)
_ROMAN = re.compile(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")

# Spans never checked: web and e-mail addresses, inquiry references (SCMR-YYMM-#### and provisional).
_PROTECTED = re.compile(
    r"\b(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\bSCMR-\d{4}-(?:\d{4,5}|P[0-9A-F]{4}-\d+)\b",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"\w+(?:[-'\u2019\u2018]\w+)*")
_PUNCT_RUN = re.compile("[!?\u203c\u2049\u2048]{2,}|[\u203c\u2049\u2048]")  # ‼ ⁉ ⁈
_POSSESSIVE = re.compile("['\u2019\u2018\u02bc]S$")

# Which finding wins when two cover exactly the same words ("SORRY" is emotive before it is shouting).
_KIND_RANK = {FindingKind.BLAMING: 0, FindingKind.EMOTIVE: 1, FindingKind.FIRST_PERSON: 2, FindingKind.SHOUTING: 3}


def _phrase_regex(phrase: str, *, literal: bool) -> str:
    words = [re.escape(w) if literal else w for w in phrase.split(" ")]
    return r"\s+".join(words).replace("'", _APOS)


def _alternation(phrases: Iterable[str], *, literal: bool) -> re.Pattern[str]:
    # Longest first, so "I'm" is tried before "I" and "ourselves" before "our".
    parts = sorted(phrases, key=len, reverse=True)
    body = "|".join(_phrase_regex(p, literal=literal) for p in parts)
    return re.compile(f"{_WORD_START}(?:{body}){_WORD_END}", re.IGNORECASE)


_FIRST_PERSON_RE = _alternation(_FIRST_PERSON_WORDS, literal=True)
_EMOTIVE_ADVERB_RE = _alternation(_EMOTIVE_ADVERBS, literal=True)
_EMOTIVE_RE = _alternation(_EMOTIVE_WORDS, literal=True)
_APOLOGY_RE = _alternation(_APOLOGY_WORDS, literal=True)
# One regex per phrase: phrases may overlap ("you should have known" / "should have known") and the
# longest is kept later, which a single alternation would not allow.
_FAULT_RES = tuple(_alternation([p], literal=False) for p in _FAULT_PHRASES)
_REPEAT_RES = tuple(_alternation([p], literal=False) for p in _REPEAT_PHRASES)


def _first_person_message(word: str) -> str:
    return f'first person "{word}": describe what was done ("The password was reset"), not who did it'


def _is_numeral_i(text: str, start: int, end: int) -> bool:
    """True when a lone "I" is a numeral or part of a code rather than the pronoun."""
    before, after, after2 = text[start - 1 : start], text[end : end + 1], text[end + 1 : end + 2]
    if before in ("/", "-", "&") or after in ("/", "-", "&") or (after == "." and after2.isalnum()):
        return True  # "I/O", "I-9", "R&I", "i.e.", "I.T."
    return bool(_NUMERAL_CONTEXT.search(text, max(0, start - 30), start))


def _word_candidates(text: str) -> list[Finding]:
    found: list[Finding] = []
    for m in _FIRST_PERSON_RE.finditer(text):
        word = m.group()
        if word == "US":
            continue  # the country
        if len(word) == 1 and _is_numeral_i(text, m.start(), m.end()):
            continue
        found.append(Finding(FindingKind.FIRST_PERSON, m.start(), m.end(), word, _first_person_message(word)))
    for regex, template in (
        (_EMOTIVE_ADVERB_RE, 'emotive "{}": drop it and state the outcome ("The refund was declined")'),
        (_EMOTIVE_RE, 'emotive "{}": state what happened, not how it felt or what anyone thinks of it'),
        (_APOLOGY_RE, 'emotive "{}": an apology belongs in the reply to the user, not in the resolution record'),
    ):
        found.extend(
            Finding(FindingKind.EMOTIVE, m.start(), m.end(), m.group(), template.format(m.group()))
            for m in regex.finditer(text)
        )
    for regexes, template in (
        (_FAULT_RES, 'blaming "{}": describe what happened ("The form was submitted without an ID"), not whose fault'),
        (_REPEAT_RES, 'blaming "{}": record this inquiry\'s facts; cite earlier inquiries by reference number'),
    ):
        found.extend(
            Finding(FindingKind.BLAMING, m.start(), m.end(), m.group(), template.format(" ".join(m.group().split())))
            for regex in regexes
            for m in regex.finditer(text)
        )
    return found


def _is_shouted_part(part: str) -> bool:
    if sum(c.isalpha() for c in part) < 4 or not part.isupper():
        return False
    bare = _POSSESSIVE.sub("", part)
    return bare not in KNOWN_ACRONYMS and not _ROMAN.fullmatch(bare)


def _shouting_candidates(text: str) -> list[Finding]:
    found: list[Finding] = []
    for m in _TOKEN.finditer(text):
        token = m.group()
        if any(c.isdigit() or c == "_" or c.islower() for c in token):
            continue  # normal case, or a code such as SCMR-2501-0147 or COVID-19
        if any(_is_shouted_part(p) for p in token.split("-")):
            message = f'shouting "{token}": write it in normal case ("{token.lower()}")'
            found.append(Finding(FindingKind.SHOUTING, m.start(), m.end(), token, message))
    for m in _PUNCT_RUN.finditer(text):
        run = m.group()
        if "?" in run and not any(c in run for c in "!\u203c\u2049\u2048"):
            continue  # "??" is a question, not shouting
        message = f'shouting "{run}": end the sentence with a single full stop or question mark'
        found.append(Finding(FindingKind.SHOUTING, m.start(), m.end(), run, message))
    return found


def check_objectivity(text: str) -> list[Finding]:
    """Subjective or personal language in ``text``, sorted by start, never overlapping."""
    if not text:
        return []
    protected = [(m.start(), m.end()) for m in _PROTECTED.finditer(text)]
    candidates = [
        f
        for f in _word_candidates(text) + _shouting_candidates(text)
        if not any(f.start < p_end and p_start < f.end for p_start, p_end in protected)
    ]
    candidates.sort(key=lambda f: (-(f.end - f.start), _KIND_RANK[f.kind], f.start))
    kept: list[Finding] = []
    for f in candidates:
        if not any(f.start < k.end and k.start < f.end for k in kept):
            kept.append(f)
    kept.sort(key=lambda f: f.start)
    return kept


def objectivity_summary(findings: Iterable[Finding]) -> str:
    """One line naming the flagged words by kind, e.g.
    ``Subjective or personal language: first person "I", "we"; emotive "sadly"``; "" if none.

    Kinds come in :class:`FindingKind` order, words in order of appearance, each word once
    (ignoring case, apostrophe style and spacing).
    """
    by_kind: dict[FindingKind, dict[str, str]] = {}
    for f in sorted(findings, key=lambda f: f.start):
        shown = " ".join(f.text.split())
        key = re.sub(_APOS, "'", shown).casefold()
        by_kind.setdefault(f.kind, {}).setdefault(key, shown)
    if not by_kind:
        return ""
    groups = [
        f"{kind.value} " + ", ".join(f'"{w}"' for w in by_kind[kind].values())
        for kind in FindingKind
        if kind in by_kind
    ]
    return "Subjective or personal language: " + "; ".join(groups)
