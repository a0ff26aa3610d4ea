"""Feedback and the knowledge base in the reports: CSAT by week against the target, themes by count and
priority, the top 10 queries and complaints, comments per theme, and the knowledge base's figures. Used by the
weekly report, the SCMR-5 monthly and the feedback report."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from ..core.feedback import FeedbackAnalysis, TopItem
from ..core.knowledge import KnowledgeMeasures
from .charts import trend_chart
from .figures import Figure
from .formatting import fmt_value, markup
from .styles import FRAME_WIDTH, cells, grid_table, head_cells, heading, styles


def _pc(value: float | None) -> float | None:
    return None if value is None else 100 * value


def feedback_rows(a: FeedbackAnalysis, k: KnowledgeMeasures | None, csat_target: float,
                  section: str = "Feedback", *, trend: bool = True) -> list[Figure]:
    """The figures of the section (the PDF's and the CSV's); ``trend``: with the last week's CSAT (the monthly
    report has its month's CSAT among the KPIs)."""
    week = a.csat_trend[-1] if a.csat_trend and trend else None
    out = [Figure(section, "Ratings collected after resolution", a.ratings),
           Figure(section, "Other feedback items", a.feedback_items)]
    if week is not None:
        out.append(Figure(section, f"CSAT, {week.week}", week.average, "/5", csat_target,
                          None if week.average is None else week.average >= csat_target))
    out += [Figure(section, f"Feedback on {t.theme}", t.count) for t in a.themes]
    if k is not None:
        out += [Figure("Knowledge base", "Inquiries resolved", k.resolved),
                Figure("Knowledge base", "Resolved with an article", _pc(k.article_share), "%"),
                Figure("Knowledge base", "Votes: helpful", _pc(k.helpful_share), "%"),
                Figure("Knowledge base", "Articles published", k.articles_published),
                Figure("Knowledge base", "Articles overdue for review", k.articles_overdue)]
    return out


def _top(items: list[TopItem], what: str) -> Flowable:
    s = styles()
    if not items:
        return Paragraph(f"No {what} in the period.", s.small)
    rows = [head_cells(["#", what.capitalize(), "Count", "From"])]
    rows += [cells([str(n), markup(i.label), str(i.count), markup(i.detail)]) for n, i in enumerate(items, 1)]
    return grid_table(rows, [10 * mm, FRAME_WIDTH - 90 * mm, 20 * mm, 60 * mm])


def _themes(a: FeedbackAnalysis) -> Flowable:
    if not a.themes:
        return Paragraph("No feedback was recorded in the period.", styles().small)
    rows = [head_cells(["Theme", "Items", "High", "Medium", "Low", "Negative"])]
    rows += [cells([markup(t.theme), str(t.count), str(t.high), str(t.medium), str(t.low), str(t.negative)])
             for t in a.themes]
    return grid_table(rows, [FRAME_WIDTH - 100 * mm, *[20 * mm] * 5])


def _knowledge(k: KnowledgeMeasures) -> Flowable:
    rows = [head_cells(["Measure", "Value"])]
    rows += [cells(["Inquiries resolved in the period", str(k.resolved)]),
             cells(["… answered with a knowledge-base article", f"{k.resolved_with_article} "
                    f"({fmt_value(_pc(k.article_share), '%')})"]),
             cells(["Votes: helpful / not helpful", f"{k.helpful_votes} / {k.not_helpful_votes}"]),
             cells(["Articles published", str(k.articles_published)]),
             cells(["Articles overdue for review", str(k.articles_overdue)])]
    return grid_table(rows, [FRAME_WIDTH - 60 * mm, 60 * mm])


def themes_and_knowledge(a: FeedbackAnalysis, k: KnowledgeMeasures | None) -> list[Flowable]:
    """The SCMR-5 monthly's part: feedback themes, the top complaints, and the knowledge base."""
    story: list[Flowable] = [heading("Feedback themes", 2), _themes(a),
                             heading("Top 10 complaints", 2), _top(a.top_complaints, "complaint")]
    if k is not None:
        story += [heading("Knowledge base", 2), _knowledge(k)]
    return story


def feedback_story(a: FeedbackAnalysis, k: KnowledgeMeasures | None, csat_target: float, *,
                   number: str = "", with_quotes: bool = True) -> list[Flowable]:
    """The section's flowables; ``number`` prefixes its sub-headings ("7." gives "7.1 CSAT by week")."""
    s = styles()
    sub = (lambda n, text: heading(f"{number}{n} {text}", 2)) if number else (lambda n, text: heading(text, 2))
    story: list[Flowable] = [sub(1, "User satisfaction (CSAT) by week")]
    rated = [w for w in a.csat_trend if w.average is not None]
    if rated:
        story.append(trend_chart([w.week[5:] for w in a.csat_trend], [("CSAT", [w.average for w in a.csat_trend])],
                                 FRAME_WIDTH, 120, low=1, high=5, step=1, target=csat_target))
        rows = [head_cells(["Week", "CSAT", "Ratings"])]
        rows += [cells([w.week, fmt_value(w.average, "/5", csat_target), str(w.responses)]) for w in a.csat_trend]
        story.append(grid_table(rows, [40 * mm, 40 * mm, 30 * mm]))
        story.append(Paragraph(f"Inquiries logged in each week and rated after resolution; the target is "
                               f"{fmt_value(csat_target, '/5')}. A week's average is compared unrounded.", s.small))
    else:
        story.append(Paragraph("No rating was recorded for inquiries of these weeks.", s.small))
    story += [sub(2, "Themes"), _themes(a)]
    story += [sub(3, "Top 10 queries"), _top(a.top_queries, "query"),
              sub(4, "Top 10 complaints"), _top(a.top_complaints, "complaint")]
    if with_quotes and a.verbatims:
        story.append(sub(5, "In the users' words"))
        for theme, quotes in a.verbatims.items():
            block: list[Flowable] = [Paragraph(f"<b>{markup(theme)}</b>", s.body)]
            block += [Paragraph(f"“{markup(q)}”", s.small) for q in quotes]
            story.append(KeepTogether([*block, Spacer(0, 1.5 * mm)]))
    if k is not None:
        story += [sub(6 if with_quotes and a.verbatims else 5, "Knowledge base"), _knowledge(k)]
    return story
