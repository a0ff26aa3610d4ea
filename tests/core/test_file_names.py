"""An attachment's name from a synced row becomes a plain, safe file name, never a path."""

from __future__ import annotations

import pytest

from saypro_desktop.core.file_names import FALLBACK_NAME, MAX_NAME_CHARS, safe_file_name


@pytest.mark.parametrize(("given", "expected"), [
    ("report.pdf", "report.pdf"),
    ("Scan 2025-03-01 (page 1).jpg", "Scan 2025-03-01 (page 1).jpg"),
    ("Résumé — Thandiwe.docx", "Résumé — Thandiwe.docx"),
    ("../../../../tmp/x.sh", "x.sh"),
    ("..\\..\\evil.bat", "evil.bat"),
    ("C:\\Windows\\x", "x"),
    ("C:evil.txt", "evil.txt"),
    ("C:..\\evil.txt", "evil.txt"),
    ("\\\\server\\share\\payload.exe", "payload.exe"),
    ("/etc/passwd", "passwd"),
    ("notes.txt:hidden-stream", "notes.txt_hidden-stream"),
    ('what?<is>"this"|*.txt', "what__is__this___.txt"),
    ("folder/", "folder"),
    ("x.sh/..", "x.sh"),
    (".bashrc", "bashrc"),
    ("...hidden", "hidden"),
    ("  spaced name.txt  ", "spaced name.txt"),
    ("trailing dots...", "trailing dots"),
    ("CON", "_CON"),
    ("con.txt", "_con.txt"),
    ("NUL", "_NUL"),
    ("Aux.tar.gz", "_Aux.tar.gz"),
    ("COM1.pdf", "_COM1.pdf"),
    ("lpt9", "_lpt9"),
    ("CONSOLE.txt", "CONSOLE.txt"),  # only the exact device names are reserved
    ("a\x00b\nc\td\x1b[31m.txt", "abcd[31m.txt"),
    ("invoice\u202efdp.exe", "invoicefdp.exe"),  # a right-to-left override that disguises the extension
    ("line\u2028break.txt", "linebreak.txt"),
])
def test_only_a_plain_base_name_is_kept(given, expected):
    assert safe_file_name(given) == expected


@pytest.mark.parametrize("given", ["", "   ", ".", "..", "...", "/", "\\", "../..", "C:\\", "D:", "\x00\x01", None,
                                   " . . "])
def test_nothing_left_gives_the_fallback(given):
    assert safe_file_name(given) == FALLBACK_NAME
    assert safe_file_name(given, fallback="file.bin") == "file.bin"


def test_a_very_long_name_is_shortened_keeping_its_extension():
    name = "x" * 5000 + ".pdf"
    safe = safe_file_name(name)
    assert len(safe) == MAX_NAME_CHARS and safe.endswith(".pdf") and safe.startswith("xxx")
    wide = "é" * 300 + ".docx"  # 2 bytes each in UTF-8
    safe = safe_file_name(wide)
    assert safe.endswith(".docx") and len(safe.encode("utf-8")) <= 240
    no_ext = safe_file_name("y" * 300)
    assert no_ext == "y" * MAX_NAME_CHARS
    odd_ext = safe_file_name("z" * 200 + "." + "q" * 100)  # an "extension" that long is not one
    assert len(odd_ext) == MAX_NAME_CHARS and odd_ext.startswith("zzz")


@pytest.mark.parametrize("given", ["../../../../tmp/x.sh", "..\\..\\evil.bat", "C:\\Windows\\x", "CON", "a/../../b",
                                   "\x00", "", "x" * 1000, ". /. /..", "..\\/..\\/x"])
def test_the_result_is_always_one_harmless_path_part(given, tmp_path):
    safe = safe_file_name(given)
    assert safe and "/" not in safe and "\\" not in safe and ":" not in safe
    assert not safe.startswith(".") and safe == safe.strip(" ") and len(safe) <= MAX_NAME_CHARS
    assert all(ord(ch) >= 32 and ch != "\x7f" for ch in safe)
    assert (tmp_path / safe).resolve().parent == tmp_path.resolve()
