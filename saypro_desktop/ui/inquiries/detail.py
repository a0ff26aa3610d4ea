"""One inquiry: its sections (editable by permission), the action-steps timeline with canned replies, the
workflow buttons, the user's rating and survey, linked inquiries, attachments, the knowledge-base articles it is
answered with and the full history. Loaded and saved through the task runner."""

from __future__ import annotations

import re
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.knowledge import ReplyUse
from ...core.permissions import Permission
from ...core.personal_details import sees_personal_details
from ...core.sla import SlaState
from ...core.validation import ValidationError
from ...core.vocab import ActionKind, Status
from ...core.workflow import allowed_targets
from ...models import Attachment
from ...services import inquiries as svc
from ...services.inquiry_views import InquiryDetail, load_detail, staff_choices
from ...services.links_and_files import (
    add_attachment,
    copy_for_opening,
    link_inquiries,
    remove_attachment,
    suggested_name,
    unlink_inquiries,
)
from ...services.search import search_inquiries
from .. import file_dialogs
from ..app_context import AppContext
from ..shortcuts import drop_mnemonics
from ..theme import BAD, GOOD, MUTED, WARN
from ..workspace import hidden_unless
from .action_dialogs import (
    AcknowledgeDialog,
    CancelDialog,
    CloseDialog,
    EscalateDialog,
    NoteDialog,
    ResolveDialog,
)
from .articles import KnowledgeBox
from .drafts import DraftFile
from .replies import ReplyButton
from .template_form import TemplateForm
from .user_feedback import UserFeedbackRow

_STATE = {SlaState.BREACHED: BAD, SlaState.MISSED: BAD, SlaState.AT_RISK: WARN, SlaState.MET: GOOD,
          SlaState.ON_TRACK: MUTED}


class _ShownWhenSet(QLabel):
    """A message line that takes no room while it is empty."""

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setVisible(bool(text))

    def clear(self) -> None:
        self.setText("")


def _scrolled(page: QWidget) -> QScrollArea:
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setWidget(page)
    return scroll


class InquiryDetailPanel(QWidget):
    message = Signal(str)  # for the status bar
    open_inquiry = Signal(str)

    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.detail: InquiryDetail | None = None
        self._staff: list[tuple[str, str]] = []
        self._dirty = False
        self._tz = app.settings.calendar().tz
        self.setAccessibleName("Inquiry detail")
        self.header = QLabel("Select an inquiry")
        self.header.setWordWrap(True)
        self.header.setAccessibleName("Inquiry summary")
        self.error = _ShownWhenSet()
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons: dict[str, QPushButton] = {}
        bar = QHBoxLayout()
        for key, text, tip in (("ack", "Ac&knowledge…",
                                "Record the first response to the user, with the reply that gives the reference "
                                "number"),
                               ("In Progress", "Start &work", "Status In Progress"),
                               ("Escalated", "&Escalate…", "Escalate to a higher tier"),
                               ("Resolved", "&Resolve…", "Record the resolution"),
                               ("Closed", "C&lose…", "Close after the user's confirmation"),
                               ("Reopened", "Re&open…", "Reopen a resolved or closed inquiry"),
                               ("Cancelled", "Cancel inquiry…",
                                "Set aside as spam, a duplicate or a test: left out of the KPIs")):
            b = QPushButton(text)
            b.setToolTip(tip)
            b.setAccessibleName(text.replace("&", "").rstrip("…"))
            b.clicked.connect(lambda _=False, k=key: self._workflow(k))
            self.buttons[key] = b
            bar.addWidget(b)
        bar.addStretch(1)
        self.pdf_button = QPushButton("PDF…")
        self.pdf_button.setAccessibleName("Save the inquiry as PDF")
        self.pdf_button.setShortcut("Ctrl+Shift+P")
        self.pdf_button.setToolTip("Save the inquiry template as a PDF file (Ctrl+Shift+P)")
        self.pdf_button.clicked.connect(self.save_pdf)
        self.attach_pdf_button = QPushButton("Attach PDF")
        self.attach_pdf_button.setAccessibleName("Attach the inquiry PDF")
        self.attach_pdf_button.setShortcut("Ctrl+Shift+A")
        self.attach_pdf_button.setToolTip("Attach the template PDF to the inquiry as <Inquiry ID>.pdf, replacing an "
                                          "earlier one (Ctrl+Shift+A)")
        self.attach_pdf_button.clicked.connect(self.attach_pdf)
        bar.addWidget(self.pdf_button)
        bar.addWidget(self.attach_pdf_button)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Inquiry sections")
        self.tabs.addTab(self._details_tab(), "&Details")
        # Scrolled when the window is short (a 768-pixel screen): the list above keeps its rows.
        self.tabs.addTab(_scrolled(self._actions_tab()), "&Action steps")
        self.tabs.addTab(_scrolled(self._links_tab()), "Li&nks && files")
        self.knowledge = KnowledgeBox(app)
        self.knowledge.message.connect(self.message)
        self.tabs.addTab(_scrolled(self.knowledge), "Knowledge &base")
        self.history = QTreeWidget()
        self.history.setHeaderLabels(["When", "Who", "What", "Changes"])
        self.history.setAccessibleName("History of changes")
        self.tabs.addTab(self.history, "Histor&y")
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addLayout(bar)
        layout.addWidget(self.error)
        layout.addWidget(self.tabs, 1)
        self.setEnabled(False)
        app.bus.changed.connect(self._on_changed)

    # tabs ----------------------------------------------------------------------------------------------------
    def _details_tab(self) -> QWidget:
        self.form = TemplateForm()
        drop_mnemonics(self.form)  # its Alt+letters are the new-inquiry form's; here they meet the workspace's
        self.form.changed.connect(self._on_edit)
        self.save_edits = QPushButton("&Save changes")
        self.save_edits.setToolTip("Save the edited sections (Ctrl+S)")
        self.save_edits.setShortcut("Ctrl+S")
        self.save_edits.setEnabled(False)
        self.save_edits.clicked.connect(self.save)
        self.revert = QPushButton("Revert")
        self.revert.setEnabled(False)
        self.revert.clicked.connect(self.revert_edits)
        box = QWidget()
        col = QVBoxLayout(box)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        col.addWidget(scroll, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.revert)
        row.addWidget(self.save_edits)
        col.addLayout(row)
        return box

    def _actions_tab(self) -> QWidget:
        box = QWidget()
        col = QVBoxLayout(box)
        self.resolution = QLabel()
        self.resolution.setWordWrap(True)
        col.addWidget(self.resolution)
        self.user_feedback = UserFeedbackRow(self.app, self._local)
        self.user_feedback.message.connect(self.message)
        self.user_feedback.failed.connect(self._failed)
        col.addWidget(self.user_feedback)
        assign_row = QHBoxLayout()
        self.assignee = QComboBox()
        self.assignee.setAccessibleName("Assigned to")
        assign = QPushButton("Assi&gn")
        assign.setAccessibleName("Assign")
        assign.clicked.connect(self._assign)
        assign_row.addWidget(QLabel("Assigned to"))
        assign_row.addWidget(self.assignee, 1)
        assign_row.addWidget(assign)
        col.addLayout(assign_row)
        self.timeline = QListWidget()
        self.timeline.setAccessibleName("Action steps timeline")
        self.timeline.setWordWrap(True)
        col.addWidget(self.timeline, 1)
        self.step_text = QPlainTextEdit()
        self.step_text.setAccessibleName("New action step")
        self.step_text.setPlaceholderText("What was done (e.g. 'Called the user; ad number confirmed')")
        self.step_text.setTabChangesFocus(True)
        self.step_text.setMaximumHeight(self.fontMetrics().height() * 4)
        self.step_contact = QCheckBox("Contact with the user")
        self.step_contact.setAccessibleName("Step was a contact with the user")
        add = self.add_step_button = QPushButton("Add &step")
        add.setAccessibleName("Add action step")
        add.clicked.connect(self._add_step)
        self.step_reply = ReplyButton(self.app, self.step_text, (ReplyUse.ACKNOWLEDGEMENT, ReplyUse.ACTION_STEP))
        self.step_reply.failed.connect(self.error.setText)
        hidden_unless(self.app.can(Permission.ADD_NOTE), self.step_reply)
        col.addWidget(self.step_text)
        row = QHBoxLayout()
        row.addWidget(self.step_contact)
        row.addStretch(1)
        row.addWidget(self.step_reply)
        row.addWidget(add)
        col.addLayout(row)
        return box

    def _links_tab(self) -> QWidget:
        box = QWidget()
        col = QVBoxLayout(box)
        col.addWidget(QLabel("Linked inquiries"))
        self.links = QListWidget()
        self.links.setAccessibleName("Linked inquiries")
        self.links.itemActivated.connect(lambda item: self.open_inquiry.emit(item.data(256)))
        col.addWidget(self.links)
        row = QHBoxLayout()
        self.link_search = QLineEdit()
        self.link_search.setPlaceholderText("Inquiry ID or words to find the related inquiry")
        self.link_search.setAccessibleName("Find inquiry to link")
        link = QPushButton("Link")
        link.clicked.connect(self._link)
        unlink = QPushButton("Unlink")
        unlink.clicked.connect(self._unlink)
        row.addWidget(self.link_search, 1)
        row.addWidget(link)
        row.addWidget(unlink)
        col.addLayout(row)
        col.addWidget(QLabel("Attachments"))
        self.files = QListWidget()
        self.files.setAccessibleName("Attachments")
        self.files.itemActivated.connect(self._open_file)
        col.addWidget(self.files)
        row2 = QHBoxLayout()
        for text, slot in (("Add file…", self._add_file), ("Open", lambda: self._open_file(self.files.currentItem())),
                           ("Remove", self._remove_file)):
            b = QPushButton(text)
            b.setAccessibleName(text.replace("&", "").rstrip("…"))
            b.clicked.connect(slot)
            row2.addWidget(b)
        row2.addStretch(1)
        col.addLayout(row2)
        return box

    # loading ---------------------------------------------------------------------------------------------------
    def show_inquiry(self, inquiry_id: str) -> None:
        self.knowledge.show_inquiry(inquiry_id)
        self.app.read(lambda ctx: (load_detail(ctx, inquiry_id), staff_choices(ctx.session)), self._loaded,
                      lambda exc: self.error.setText(str(exc)))

    def _loaded(self, result: tuple[InquiryDetail, list[tuple[str, str]]]) -> None:
        detail, staff = result
        same = self.detail is not None and self.detail.id == detail.id
        self.detail = detail
        self.setEnabled(True)
        self.error.clear()
        v = detail.values
        local = self._local
        self.header.setText(
            f"<h2>{detail.ref} · {v['subject']}</h2>"
            f"<b>{v['status']}</b>"
            + (f" ({v['cancel_reason'] or 'no reason recorded'}, left out of the KPIs)" if v["status"] == "Cancelled"
               else "")
            + f" · {v['priority']} priority · {v['category']} · logged {local(v['logged_at'])}"
            f" by {detail.received_by}<br>"
            f"Acknowledgement due {local(v['ack_due_at'])}: <span style='color:{_STATE[detail.ack_state]}'>"
            f"{detail.ack_state.value}</span> · Resolution due {local(v['resolution_due_at'])}: "
            f"<span style='color:{_STATE[detail.resolution_state]}'>{detail.resolution_state.value}</span>")
        if not (same and self._dirty):
            self.form.load(v, v["priority_overridden"])
            self.form.identification.setText(f"Inquiry ID: <b>{detail.ref}</b> · logged {local(v['logged_at'])} · "
                                             f"received by {detail.received_by}")
            self._set_dirty(False)
            self._offer_edit_draft()
        self._staff = staff
        self.assignee.clear()
        self.assignee.addItem("(unassigned)", None)
        for sid, name in staff:
            self.assignee.addItem(name, sid)
        self.assignee.setCurrentIndex(max(0, self.assignee.findData(detail.assigned_to_id)))
        escalated = f"Yes, {v['escalation_tier'] or ''}" if v["escalated"] else "No"
        self.resolution.setText(
            f"<b>Resolution:</b> {escape(v['resolution'] or '—')}<br><b>Resolved:</b> "
            f"{local(v['resolved_at']) or '—'} · <b>User confirmation:</b> {v['user_confirmation'] or '—'} · "
            f"<b>Escalated:</b> {escalated}")
        self.user_feedback.show_inquiry(detail.id, detail.ref, v)
        self.step_reply.set_inquiry(detail.id)
        self.timeline.clear()
        for s in detail.steps:
            self.timeline.addItem(f"{local(s.at)}  {s.author} · {s.kind}\n{s.text}")
        self.links.clear()
        for link in detail.links:
            item = QListWidgetItem(f"{link.ref} · {link.status} · {link.subject}")
            item.setData(256, link.id)
            self.links.addItem(item)
        self.files.clear()
        for a in detail.attachments:
            item = QListWidgetItem(f"{a.filename} ({a.size:,} bytes)")
            item.setData(256, a)
            self.files.addItem(item)
        self.history.clear()
        for h in detail.history:
            changes = "; ".join(f"{k}: {o if o is not None else '—'} → {n if n is not None else '—'}"
                                for k, (o, n) in h.changes.items()) or h.summary
            what = f"{h.action} ({h.summary})" if h.summary and h.changes else h.action  # "update (automatic …)"
            self.history.addTopLevelItem(QTreeWidgetItem([local(h.at), h.actor, what, changes]))
        self._enable_actions()

    def _local(self, moment: Any) -> str:
        return moment.astimezone(self._tz).strftime("%d/%m/%Y %H:%M") if moment else ""

    def _enable_actions(self) -> None:
        status = Status(self.detail.values["status"]) if self.detail else None
        may = self.app.can(Permission.CHANGE_STATUS)
        targets = {t.value for t in allowed_targets(status)} if status else set()
        for key, b in self.buttons.items():
            if key == "ack":
                b.setEnabled(may and self.detail is not None and self.detail.values["acknowledged_at"] is None)
            else:
                b.setEnabled(may and key in targets)
        self.form.setEnabled(self.app.can(Permission.EDIT_INQUIRY))
        self.attach_pdf_button.setEnabled(self.detail is not None and self.app.can(Permission.EDIT_INQUIRY))

    # edits -----------------------------------------------------------------------------------------------------
    def _drafts(self) -> DraftFile | None:
        return DraftFile(self.app.store.paths.root / "drafts" / f"edit-{self.detail.id}.json") if self.detail else None

    def _offer_edit_draft(self) -> None:
        drafts = self._drafts()
        saved = drafts.load() if drafts else None
        if not saved:
            return
        if QMessageBox.question(self, "Unsaved changes found",
                                f"Changes to {self.detail.ref} were not saved last time. Restore them?") \
                == QMessageBox.StandardButton.Yes:
            self.form.load(saved)
            self._set_dirty(True)
        else:
            drafts.discard()

    def _on_edit(self) -> None:
        if self.detail is None:
            return
        self._set_dirty(True)
        self._drafts().save(self.form.draft())
        self.form.show_errors(self.form.errors())

    def _set_dirty(self, dirty: bool) -> None:
        self._dirty = dirty
        self.save_edits.setEnabled(dirty)
        self.revert.setEnabled(dirty)

    def revert_edits(self) -> None:
        if self.detail:
            self._drafts().discard()
            self.form.load(self.detail.values, self.detail.values["priority_overridden"])
            self._set_dirty(False)

    def has_unsaved_edits(self) -> bool:
        return self._dirty

    def save(self) -> None:
        if not self.detail or not self._dirty:
            return
        errors = self.form.errors()
        self.form.show_errors(errors)
        if errors:
            self.error.setText(f"{len(errors)} field(s) need attention; nothing was saved.")
            return
        d = self.form.draft()
        changes = {k: getattr(d, k) for k in svc.EDITABLE}
        if d.priority:
            changes["priority"] = d.priority
        rid = self.detail.id

        def work(ctx):
            svc.update_inquiry(ctx, svc.get_inquiry(ctx, rid), **changes)
            return [rid]

        def done(_: Any) -> None:
            self._drafts().discard()
            self._set_dirty(False)
            self.message.emit("Changes saved")

        self.app.write(work, "inquiry", done, self._failed)

    def _failed(self, exc: Exception) -> None:
        if isinstance(exc, ValidationError):
            self.form.show_errors(exc.errors)
            self.error.setText("Not saved: " + "; ".join(str(e) for e in exc.errors))
        else:
            self.error.setText(f"Not saved: {exc}")

    # actions ---------------------------------------------------------------------------------------------------
    def _run(self, fn: Any, done_message: str) -> None:
        """One service call on the inquiry in one transaction; the view reloads on the changed signal."""
        rid = self.detail.id

        def work(ctx):
            fn(ctx, svc.get_inquiry(ctx, rid))
            return [rid]

        self.error.clear()
        self.app.write(work, "inquiry", lambda _: self.message.emit(done_message), self._failed)

    def _workflow(self, key: str) -> None:
        if self.detail is None:
            return
        if key == "ack":
            ack = AcknowledgeDialog(self.app, self.detail.id, self.detail.ref, self)
            accepted = ack.exec() == ack.DialogCode.Accepted
            note = ack.values()["note"]
            ack.deleteLater()
            if not accepted:
                return
            self._run(lambda ctx, i: svc.acknowledge(ctx, i, note), "Acknowledged")
            return
        if key == "Cancelled":
            self._cancel()
            return
        kwargs: dict[str, Any] = {}
        # Nobody assigned: the resolve and close dialogs ask who handled it (the service needs to know).
        ask = {"staff": self._staff, "me": self.app.user.id} if self.detail.assigned_to_id is None else {}
        dialog = {"Escalated": lambda: EscalateDialog(self),
                  "Resolved": lambda: ResolveDialog(self.detail.values["resolution"] or "", self, **ask,
                                                    app=self.app, inquiry_id=self.detail.id),
                  "Closed": lambda: CloseDialog(self.detail.values["user_confirmation"], self, **ask),
                  "Reopened": lambda: NoteDialog("Reopen inquiry", "Why is it reopened?", True, self)}.get(key)
        if dialog is not None:
            d = dialog()
            accepted = d.exec() == d.DialogCode.Accepted
            kwargs = d.values()
            d.deleteLater()  # its reply button listens for changes until it is gone
            if not accepted:
                return
            if key == "Resolved" and not kwargs.get("first_contact"):
                kwargs["first_contact"] = None  # let the service decide from the timeline
        handled_by_id = kwargs.pop("handled_by_id", None)

        def change(ctx, i):
            if handled_by_id is not None:
                from ...models import StaffUser

                kwargs["handled_by"] = ctx.session.get(StaffUser, handled_by_id)
            svc.change_status(ctx, i, key, **kwargs)

        self._run(change, f"Status: {key}")

    def _cancel(self) -> None:
        """Set the inquiry aside (spam, duplicate, test): the service checks the reason and the inquiry kept."""
        d = CancelDialog(self)
        if d.exec() != d.DialogCode.Accepted:
            return
        v = d.values()

        def cancel(ctx, i):
            from ...services.cancellation import cancel_inquiry

            kept = svc.get_inquiry(ctx, v["duplicate_of"]) if v["duplicate_of"] else None
            cancel_inquiry(ctx, i, v["reason"], duplicate_of=kept, note=v["note"])

        self._run(cancel, "Cancelled")

    def _assign(self) -> None:
        sid = self.assignee.currentData()

        def assign(ctx, i):
            from ...models import StaffUser

            svc.assign(ctx, i, ctx.session.get(StaffUser, sid) if sid else None)

        self._run(assign, "Assigned")

    def _add_step(self) -> None:
        text = self.step_text.toPlainText().strip()
        if not text:
            self.error.setText("Write what was done before adding a step.")
            return
        kind = ActionKind.USER_CONTACT if self.step_contact.isChecked() else ActionKind.NOTE
        self._run(lambda ctx, i: svc.add_action_step(ctx, i, text, kind), "Step added")
        self.step_text.clear()
        self.step_contact.setChecked(False)

    def _link(self) -> None:
        words = self.link_search.text().strip()
        if not words:
            return

        def link(ctx, i):
            personal = sees_personal_details(ctx.actor.role)  # no probing by a name the role may not see
            hits = [h for h in search_inquiries(ctx.session, words, limit=2, personal=personal) if h.id != i.id]
            if not hits:
                raise ValueError(f"no inquiry matches {words!r}")
            link_inquiries(ctx, i, hits[0])

        self._run(link, "Linked")
        self.link_search.clear()

    def _unlink(self) -> None:
        item = self.links.currentItem()
        if item is None:
            return
        other_id = item.data(256)
        self._run(lambda ctx, i: unlink_inquiries(ctx, i, svc.get_inquiry(ctx, other_id)), "Unlinked")

    def save_pdf(self) -> None:
        """Save as…: the template PDF, named ``<Inquiry ID>.pdf`` by default, written on the pool."""
        if self.detail is None:
            return
        rid, name = self.detail.id, re.sub(r'[<>:"/\\|?*]', "-", self.detail.ref) + ".pdf"
        target = file_dialogs.save_file(self, "inquiry.pdf", "Save the inquiry as PDF", name,
                                        "PDF documents (*.pdf)", ".pdf")
        if target is None:
            return
        self.error.clear()
        from ...services.report_files import write_inquiry_pdf  # ReportLab loads at the first PDF, not at start

        self.app.read(lambda ctx: write_inquiry_pdf(ctx, rid, target),
                      lambda saved: self.message.emit(f"Saved {saved}"),
                      lambda exc: self.error.setText(f"The PDF was not saved: {exc}"))

    def attach_pdf(self) -> None:
        """Attach the template PDF as ``<Inquiry ID>.pdf`` (use instruction 4); the view reloads on the change."""
        if self.detail is None:
            return
        rid = self.detail.id

        def work(ctx):
            from ...services.report_files import attach_inquiry_pdf  # ReportLab loads at the first PDF

            attachment = attach_inquiry_pdf(ctx, rid)
            return [rid], attachment.filename

        self.error.clear()
        self.app.write(work, "inquiry", lambda name: self.message.emit(f"Attached {name}"),
                       lambda exc: self.error.setText(f"The PDF was not attached: {exc}"))

    def _add_file(self) -> None:
        path = file_dialogs.open_file(self, "attachment", "Attach a file")
        if path:
            self._run(lambda ctx, i: add_attachment(ctx, i, Path(path)), "File attached")

    def _open_file(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        a = item.data(256)
        # A named copy in our own "open" folder, so the viewer shows the right name and type; the row's
        # filename is only ever a plain base name there (it comes from other desktops).
        try:
            target = copy_for_opening(self.app.store.paths.attachments, a.sha256, a.filename,
                                      self.app.store.paths.root / "open", role=self.app.user.role)
        except FileNotFoundError:
            self.error.setText(f"{suggested_name(a.filename)} is not on this desktop yet (files arrive when "
                               "the desktop syncs).")
            return
        except (ValueError, OSError) as exc:
            self.error.setText(f"The file could not be opened: {exc}")
            return
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(target))):
            self.error.setText(f"No program on this PC opens {target.name}.")

    def _remove_file(self) -> None:
        item = self.files.currentItem()
        if item is None:
            return
        att_id = item.data(256).id
        self._run(lambda ctx, i: remove_attachment(ctx, ctx.session.get(Attachment, att_id)), "Attachment removed")

    def _on_changed(self, entity: str, ids: list[str]) -> None:
        if self.detail and entity == "inquiry" and (not ids or self.detail.id in ids):
            self.show_inquiry(self.detail.id)
