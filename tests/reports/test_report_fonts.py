"""The bundled fonts: found from source and from a PyInstaller bundle, and covering the names we print."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from reportlab.pdfbase.ttfonts import TTFont

from saypro_desktop.reports import fonts

REPO = Path(__file__).resolve().parents[2]
NAMES = ["Nomvula Sithole-Mabaso", "Mariëtte du Plessis", "Zoë", "Hélène", "Ngũgĩ wa Thiong’o", "Dvořák",
         "Łódź", "Şükrü", "Ærøskøbing", "☐ ☒ ✔ ✘ ≥ – … →"]


def test_found_in_the_source_tree_with_their_licence():
    assert fonts.resources_dir() == REPO / "resources"
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE-DejaVu.txt"):
        assert (REPO / "resources" / "fonts" / name).is_file()


def test_a_pyinstaller_bundle_is_searched_first(tmp_path, monkeypatch):
    shutil.copytree(REPO / "resources" / "fonts", tmp_path / "resources" / "fonts")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert fonts.resource_candidates()[0] == tmp_path / "resources"
    assert fonts.resources_dir() == tmp_path / "resources"


def test_missing_fonts_say_where_they_were_looked_for(tmp_path, monkeypatch):
    monkeypatch.setattr(fonts, "resource_candidates", lambda: [tmp_path / "nowhere"])
    with pytest.raises(RuntimeError, match=r"DejaVuSans.ttf, DejaVuSans-Bold.ttf\) are missing; looked in: .*nowhere"):
        fonts.resources_dir()


@pytest.mark.parametrize("face", ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"])
def test_every_character_of_the_names_has_a_glyph(face):
    cmap = TTFont("probe", str(REPO / "resources" / "fonts" / face)).face.charToGlyph
    missing = {ch for name in NAMES for ch in name if ord(ch) not in cmap}
    assert missing == set()


def test_registered_once():
    assert fonts.register_fonts() == ("DejaVuSans", "DejaVuSans-Bold")
    assert fonts.register_fonts() is fonts.register_fonts()
