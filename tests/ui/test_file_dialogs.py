"""Save dialogs start in Documents, then in the folder last used for the same kind of file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from saypro_desktop.ui import file_dialogs


def test_save_dialogs_start_in_documents_then_remember_the_folder_per_kind(qapp, ui_state, tmp_path, monkeypatch):
    documents = tmp_path / "Documents"
    documents.mkdir()
    monkeypatch.setattr(file_dialogs, "documents_folder", lambda: str(documents))
    monkeypatch.setattr(file_dialogs, "_memory", {})
    file_dialogs.use_settings(ui_state)
    asked: list[str] = []
    answers = iter([tmp_path / "monthly" / "SCMR-5 2025-01", None, tmp_path / "csv" / "figures.csv"])

    def ask(parent, title, default, filters):
        asked.append(default)
        answer = next(answers)
        return (str(answer), filters) if answer else ("", filters)

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(ask))
    (tmp_path / "monthly").mkdir()
    (tmp_path / "csv").mkdir()
    first = file_dialogs.save_file(None, "report.pdf", "Save", "SCMR-5 2025-01.pdf", "PDF (*.pdf)", ".pdf")
    assert asked[0] == str(documents / "SCMR-5 2025-01.pdf")  # not the working folder
    assert first == tmp_path / "monthly" / "SCMR-5 2025-01.pdf"  # the suffix is added when left out
    assert file_dialogs.save_file(None, "report.pdf", "Save", "Q1.pdf", "PDF (*.pdf)", ".pdf") is None
    assert asked[1] == str(tmp_path / "monthly" / "Q1.pdf")  # the same kind: where the last one went
    file_dialogs.save_file(None, "report.csv", "Save", "figures.csv", "CSV (*.csv)", ".csv")
    assert asked[2] == str(documents / "figures.csv")  # another kind: Documents again
    assert ui_state.value("folders/report.pdf") == str(tmp_path / "monthly")  # kept for the next start
    assert ui_state.value("folders/report.csv") == str(tmp_path / "csv")
    file_dialogs.use_settings(None)


def test_a_remembered_folder_that_is_gone_falls_back_to_documents(qapp, ui_state, tmp_path, monkeypatch):
    monkeypatch.setattr(file_dialogs, "documents_folder", lambda: str(tmp_path))
    file_dialogs.use_settings(ui_state)
    ui_state.setValue("folders/inquiry.pdf", str(tmp_path / "removed"))
    assert file_dialogs.start_folder("inquiry.pdf") == str(tmp_path)
    assert Path(file_dialogs.start_folder("attachment")) == tmp_path
    file_dialogs.use_settings(None)
