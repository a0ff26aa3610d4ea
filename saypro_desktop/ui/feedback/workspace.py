"""The Feedback workspace (roles that record feedback or read the KPIs): Record (feedback from surveys, email,
social media, interviews...), Survey (resolved inquiries whose users are still to be asked) and Weekly analysis
(VIEW_KPI). A tab reads again when it is shown after something it shows changed."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from ...core.permissions import Permission
from ..app_context import AppContext
from ..workspace import Workspace
from . import may_use_feedback  # noqa: F401  (where it was; tests import it from here)
from .analysis_view import AnalysisView
from .record_view import RecordView
from .survey_view import SurveyView

# What each tab shows, by the entity names writes and syncs announce.
READS = {"record": ("feedback", "sync"), "survey": ("inquiry", "sync"),
         "analysis": ("feedback", "inquiry", "sync", "settings")}


class FeedbackWorkspace(Workspace):
    title = "Feedback"

    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(app, parent)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Feedback views")
        self.record: RecordView | None = None
        self.survey: SurveyView | None = None
        self.analysis: AnalysisView | None = None
        if app.can(Permission.RECORD_FEEDBACK):
            self.record = RecordView(app)
            self.tabs.addTab(self.record, "&Record")
        if app.can(Permission.VIEW_INQUIRIES):
            self.survey = SurveyView(app)
            self.survey.open_inquiry.connect(self.open_inquiry)
            self.tabs.addTab(self.survey, "&Survey")
        if app.can(Permission.VIEW_KPI):
            self.analysis = AnalysisView(app)
            self.tabs.addTab(self.analysis, "&Weekly analysis")
        self._stale = {view: True for view in self._views()}
        self.tabs.currentChanged.connect(lambda _: self._refresh_current())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        app.bus.changed.connect(self._changed)

    def _views(self) -> list[QWidget]:
        return [v for v in (self.record, self.survey, self.analysis) if v is not None]

    def activated(self) -> None:
        if self.record is not None:
            self.record.refresh_received()
        self._refresh_current()

    def _refresh_current(self) -> None:
        view = self.tabs.currentWidget()
        if view is not None and self._stale.get(view):
            self._stale[view] = False
            view.refresh()  # type: ignore[attr-defined]

    def _changed(self, entity: str, _ids: list[str]) -> None:
        for name, view in (("record", self.record), ("survey", self.survey), ("analysis", self.analysis)):
            if view is not None and entity in READS[name]:
                self._stale[view] = True
        if self.isVisible():
            self._refresh_current()
