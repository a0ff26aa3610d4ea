"""The user's rating of a resolved inquiry and the survey that asks for it, on the inquiry's Action steps tab:
what is recorded ("User rating: 4/5 “Quick and friendly” · Survey: Answered 15/01/2025 09:12"), Record rating…
(1-5 and a comment), Survey asked and Declined. Before resolution the buttons are off and say why."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from ...core.feedback import SurveyState
from ...core.permissions import Permission
from ...core.vocab import Status
from ...core.workflow import DONE_STATUSES
from ...services import inquiries as svc
from ...services.feedback import mark_survey
from ..app_context import AppContext
from .action_dialogs import RatingDialog
from .alive import if_alive

NOT_RESOLVED = "Feedback is collected once the inquiry is resolved; it is {status}"


class UserFeedbackRow(QWidget):
    message = Signal(str)  # done, for the status bar
    failed = Signal(object)  # the exception, shown by the panel

    def __init__(self, app: AppContext, local: Callable[[Any], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app, self.local = app, local
        self.inquiry_id: str | None = None
        self.ref = ""
        self.values: dict[str, Any] = {}
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setAccessibleName("User feedback and survey")
        self.rate_button = QPushButton("Record rating…")
        self.rate_button.setAccessibleName("Record rating")
        self.rate_button.clicked.connect(self.rate)
        self.survey_asked = QPushButton("Survey asked")
        self.survey_asked.setAccessibleName("Survey: the user was asked")
        self.survey_asked.clicked.connect(lambda: self.survey(SurveyState.ASKED))
        self.survey_declined = QPushButton("Declined")
        self.survey_declined.setAccessibleName("Survey: the user declined")
        self.survey_declined.clicked.connect(lambda: self.survey(SurveyState.DECLINED))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label, 1)
        for b in (self.rate_button, self.survey_asked, self.survey_declined):
            row.addWidget(b)

    def show_inquiry(self, inquiry_id: str, ref: str, values: dict[str, Any]) -> None:
        self.inquiry_id, self.ref, self.values = inquiry_id, ref, values
        status = Status(values["status"])
        done = status in DONE_STATUSES
        v = values
        rating = (f"{v['feedback_rating']}/5" + (f" “{escape(v['feedback_comment'])}”" if v["feedback_comment"]
                                                  else "")) if v["feedback_rating"] else "—"
        state = v["survey_state"] or (SurveyState.TO_ASK.value if done else None)
        survey = f"{state} {self.local(v['survey_at'])}".rstrip() if state else "after the inquiry is resolved"
        self.label.setText(f"<b>User rating:</b> {rating} · <b>Survey:</b> {survey}")
        # The rating and the survey are for a resolved (or closed) inquiry; the buttons say why they are off.
        why = ("Your role may not record feedback" if not self.app.can(Permission.EDIT_INQUIRY) else
               NOT_RESOLVED.format(status=status.value) if not done else "")
        rated = v["feedback_rating"] is not None
        for b, tip in ((self.rate_button, "Record the rating (1-5) and comment the user gave"),
                       (self.survey_asked, "The user was asked for a rating (the survey worklist then skips it)"),
                       (self.survey_declined, "The user declined to give a rating")):
            answered = rated and b is not self.rate_button  # a rating can be corrected; the survey is over
            b.setEnabled(not why and not answered)
            b.setToolTip(why or ("The user answered: the rating is recorded" if answered else tip))

    def rate(self) -> None:
        """The user's rating (1-5) and comment; the service refuses an inquiry not resolved."""
        if self.inquiry_id is None:
            return
        d = RatingDialog(self.ref, self.values["feedback_rating"], self.values["feedback_comment"], self)
        accepted = d.exec() == d.DialogCode.Accepted
        rating, comment = d.values()["rating"], d.values()["comment"]
        d.deleteLater()
        if accepted:
            self._write(lambda ctx, i: svc.record_feedback(ctx, i, rating, comment), f"Rating {rating}/5 recorded")

    def survey(self, state: SurveyState) -> None:
        if self.inquiry_id is not None:
            self._write(lambda ctx, i: mark_survey(ctx, i, state), f"Survey: {state.value.lower()}")

    def _write(self, fn: Callable[[Any, Any], Any], done: str) -> None:
        rid = self.inquiry_id

        def work(ctx):
            fn(ctx, svc.get_inquiry(ctx, rid))
            return [rid]

        self.app.write(work, "inquiry", if_alive(self, lambda _: self.message.emit(done)),
                       if_alive(self, self.failed.emit))
