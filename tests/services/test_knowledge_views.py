"""What the Knowledge screens read: editors see drafts and retired articles, others only published ones; the
overdue filter; the reader's view of one article (votes, the reader's own vote, related articles)."""

from __future__ import annotations

import pytest

from saypro_desktop.core.knowledge import ArticleStatus
from saypro_desktop.core.permissions import Role
from saypro_desktop.models import KbArticle
from saypro_desktop.services import knowledge as kb
from saypro_desktop.services import knowledge_views as views
from saypro_desktop.services.context import NotFound
from saypro_desktop.services.staff import create_staff_user


@pytest.fixture
def articles(ctx) -> dict[str, str]:
    a = kb.add_article(ctx, "Duplicate charges and refunds", "Payment Issues",
                       "A second charge for one ad is refunded within 5 working days.")
    b = kb.add_article(ctx, "Refund of a featured ad", "Payment Issues",
                       "A featured ad cancelled within a day is refunded in full.", related=[a.id],
                       status=ArticleStatus.DRAFT)
    c = kb.add_article(ctx, "Resetting your password", "Account Management",
                       "Use 'Forgot password' on the sign-in page; the link is valid for one hour.",
                       related=[a.id], review_every_days=30)
    kb.update_article(ctx, a, related=[b.id, c.id])
    return {"charges": a.id, "draft": b.id, "password": c.id}


def test_editors_list_drafts_and_others_do_not(ctx, articles):
    as_admin = views.article_rows(ctx, "refund")
    assert [r.title for r in as_admin.rows] == ["Duplicate charges and refunds", "Refund of a featured ad"]
    assert as_admin.total == 2 and "[refunded]" in as_admin.rows[0].snippet
    agent = create_staff_user(ctx, "lerato", "Lerato Mokoena", Role.SUPPORT_AGENT)
    ctx.act_as(agent)
    assert [r.title for r in views.article_rows(ctx, "refund").rows] == ["Duplicate charges and refunds"]
    assert [r.title for r in views.article_rows(ctx).rows] == ["Duplicate charges and refunds",
                                                               "Resetting your password"]
    assert [r.title for r in views.article_rows(ctx, category="Account Management").rows] == [
        "Resetting your password"]
    with pytest.raises(NotFound, match="not published"):
        views.article_view(ctx, articles["draft"])
    seen = views.article_view(ctx, articles["charges"])
    assert seen.related == [(articles["password"], "Resetting your password")], "the draft is left out"


def test_the_overdue_filter_and_the_readers_own_vote(ctx, clock, articles):
    clock.advance(days=31)  # past the password article's 30 days, not the others' 180
    rows = views.article_rows(ctx, overdue_only=True)
    assert [(r.title, r.overdue) for r in rows.rows] == [("Resetting your password", True)]
    kb.mark_reviewed(ctx, ctx.session.get(KbArticle, articles["password"]))
    assert views.article_rows(ctx, overdue_only=True).rows == []
    view = views.article_view(ctx, articles["charges"])
    assert (view.helpful, view.not_helpful, view.my_vote) == (0, 0, None)
    kb.vote(ctx, ctx.session.get(KbArticle, articles["charges"]), False)
    view = views.article_view(ctx, articles["charges"])
    assert (view.helpful, view.not_helpful, view.my_vote, view.owner) == (0, 1, False, "Administrator")
    kb.suggest_edit(ctx, ctx.session.get(KbArticle, articles["charges"]), "Say how long a reversal takes.")
    assert views.article_view(ctx, articles["charges"]).open_suggestions == 1
    assert [(s.article_title, s.suggested_by) for s in views.suggestion_rows(ctx)] == [
        ("Duplicate charges and refunds", "Administrator")]
