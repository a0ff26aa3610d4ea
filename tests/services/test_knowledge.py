"""The knowledge base and canned replies: ranking on a small corpus, suggestions while typing, placeholders,
links, measures, and each role's rights."""

from __future__ import annotations

from datetime import timedelta

import pytest

from saypro_desktop.core.knowledge import ArticleStatus, ReplyUse, fill, placeholder_problems
from saypro_desktop.core.permissions import PermissionDenied, Role
from saypro_desktop.core.validation import ValidationError
from saypro_desktop.services import inquiries as svc
from saypro_desktop.services import knowledge as kb
from saypro_desktop.services import replies
from saypro_desktop.services.staff import create_staff_user
from tests.conftest import draft

CORPUS = [
    ("Duplicate charges and refunds", "Payment Issues",
     "If your card was charged twice for one ad, the second charge is refunded within 5 working days. Check the "
     "payment history first; a pending authorisation disappears on its own."),
    ("Paying for a featured ad", "Payment Issues",
     "Featured ads are paid by card or EFT. The ad is featured as soon as the payment clears."),
    ("Why is my ad still pending?", "Ad Moderation & Policies",
     "Every ad is reviewed within 12 to 24 hours. Ads with missing details or images take longer; edit the ad to "
     "add them."),
    ("Resetting your password", "Account Management",
     "Use 'Forgot password' on the sign-in page. The reset link is valid for one hour; check your spam folder."),
    ("Catégories et sous-catégories", "Ad Submission",
     "Choose the category that fits the item: Vehicles, Real Estate, Jobs, Services, For Sale."),
    ("Uploading photos", "Troubleshooting",
     "Photos must be JPEG or PNG, at least 320 by 240 pixels. A slow connection may time out: try again on Wi-Fi."),
]


def _corpus(ctx) -> dict[str, str]:
    return {title: kb.add_article(ctx, title, category, body).id for title, category, body in CORPUS}


def test_search_ranks_title_words_first_and_folds_accents(ctx):
    ids = _corpus(ctx)
    hits = kb.search_articles(ctx, "refund")
    assert [h.title for h in hits] == ["Duplicate charges and refunds"]
    paid = kb.search_articles(ctx, "payment")
    assert {h.title for h in paid} == {"Duplicate charges and refunds", "Paying for a featured ad"}
    assert [h.title for h in kb.search_articles(ctx, "categories")] == ["Catégories et sous-catégories"]
    assert [h.title for h in kb.search_articles(ctx, "passw")] == ["Resetting your password"], "prefix while typing"
    assert "[refunded]" in hits[0].snippet
    assert kb.search_articles(ctx, "photos", category="Payment Issues") == []
    # Retired and deleted articles are not offered; an edit is found by its new words at once.
    kb.update_article(ctx, ctx.session.get(kb.KbArticle, ids["Uploading photos"]), status="Retired")
    assert kb.search_articles(ctx, "photos") == []
    article = ctx.session.get(kb.KbArticle, ids["Resetting your password"])
    kb.update_article(ctx, article, body="Use 'Forgot password'; the reset code arrives by SMS within a minute.")
    assert [h.title for h in kb.search_articles(ctx, "sms")] == ["Resetting your password"]
    assert kb.search_articles(ctx, "spam folder") == []


def test_suggestions_while_typing_rank_the_article_that_answers(ctx):
    _corpus(ctx)
    found = kb.suggest_articles(ctx, "Charged twice", "My card shows two charges for one featured ad")
    assert found[0].title == "Duplicate charges and refunds"
    assert kb.suggest_articles(ctx, "My ad is still pending since Monday")[0].title == "Why is my ad still pending?"
    assert kb.suggest_articles(ctx, "the and for", "") == [], "nothing but common words suggests nothing"


def test_an_article_needs_a_title_and_a_body_and_related_articles_that_exist(ctx):
    with pytest.raises(ValidationError) as bad:
        kb.add_article(ctx, "FAQ", "Payment Issues", "short", related=["nope"])
    fields = {e.field for e in bad.value.errors}
    assert fields == {"title", "body"}
    with pytest.raises(ValidationError, match="no article nope"):
        kb.add_article(ctx, "Refund times", "Payment Issues", "Refunds take five working days to reach the card.",
                       related=["nope"])
    with pytest.raises(ValueError, match="not a valid article category"):
        kb.add_article(ctx, "Refund times", "Refunds", "Refunds take five working days to reach the card.")


def test_links_votes_and_the_share_resolved_with_an_article(ctx, clock):
    ids = _corpus(ctx)
    article = ctx.session.get(kb.KbArticle, ids["Duplicate charges and refunds"])
    answered, other = (svc.create_inquiry(ctx, draft(subject=s)) for s in ("Charged twice", "Ad missing"))
    kb.link_article(ctx, answered, article)
    kb.link_article(ctx, answered, article)  # twice: one link
    assert [a.title for a in kb.articles_of(ctx, answered)] == ["Duplicate charges and refunds"]
    kb.vote(ctx, article, True, answered)
    kb.vote(ctx, article, False)
    with pytest.raises(ValidationError, match="already voted"):  # the same opinion is not counted twice
        kb.vote(ctx, article, True, answered)
    for inquiry in (answered, other):
        svc.assign(ctx, inquiry, ctx.actor)
        svc.change_status(ctx, inquiry, "Resolved", resolution="Refunded the second charge to the card.")
    start = clock.t - timedelta(days=1)
    m = kb.measures(ctx, start, clock.t + timedelta(days=1))
    assert (m.resolved, m.resolved_with_article, m.article_share) == (2, 1, 0.5)
    assert (m.helpful_votes, m.not_helpful_votes, m.helpful_share) == (1, 1, 0.5)
    assert m.articles_published == 6 and m.articles_overdue == 0
    kb.unlink_article(ctx, answered, article)
    assert kb.measures(ctx, start, clock.t + timedelta(days=1)).resolved_with_article == 0
    hit = kb.search_articles(ctx, "refund")[0]
    assert (hit.helpful, hit.not_helpful) == (1, 1)


def test_articles_overdue_for_review(ctx, clock):
    ids = _corpus(ctx)
    later = clock.t + timedelta(days=200)
    assert len(kb.overdue_for_review(ctx, later)) == 6
    kb.mark_reviewed(ctx, ctx.session.get(kb.KbArticle, ids["Uploading photos"]))
    frequent = ctx.session.get(kb.KbArticle, ids["Resetting your password"])
    kb.update_article(ctx, frequent, review_every_days=30)
    overdue = kb.overdue_for_review(ctx, clock.t + timedelta(days=31))
    assert [a.title for a in overdue] == ["Resetting your password"]


def test_placeholders_are_filled_and_unknown_ones_refused(ctx):
    assert placeholder_problems("Dear {name}, your reference is {inquiry_id}.") == []
    assert "unknown placeholder {price}" in placeholder_problems("It costs {price}.")[0]
    assert placeholder_problems("Dear {name") and placeholder_problems("{due_time:%H}")
    assert fill("Dear {name}, due {due_time}.", {"name": "Thandiwe", "due_time": ""}) == \
        "Dear Thandiwe, due [when the resolution is due, in office time]."
    with pytest.raises(ValidationError, match=r"unknown placeholder \{price\}"):
        replies.save_reply(ctx, "price-info", "Price", ReplyUse.ACTION_STEP, "The price is {price}.")
    inquiry = svc.create_inquiry(ctx, draft(subject="Charged twice"))
    ack = replies.get_reply(ctx, "ack")
    text = replies.fill_reply(ctx, ack, inquiry)
    assert inquiry.display_id in text and text.startswith("Dear Thandiwe Nkosi,") and "{" not in text
    assert "Charged twice" in text and ctx.actor.display_name in text
    replies.save_reply(ctx, "ack", "Our acknowledgement", "Acknowledgement", "Hello {first_name}: {inquiry_id}.")
    assert replies.fill_reply(ctx, replies.get_reply(ctx, "ack"), inquiry) == f"Hello Thandiwe: {inquiry.display_id}."
    assert [r.name for r in replies.replies(ctx, ReplyUse.ACKNOWLEDGEMENT)] == ["ack"]


@pytest.mark.parametrize(("role", "edits", "contributes", "manages_replies"), [
    (Role.ADMIN, True, True, True), (Role.SUPERVISOR, True, True, True), (Role.MARKETING, True, True, False),
    (Role.SUPPORT_AGENT, False, True, False), (Role.MODERATOR, False, True, False), (Role.VIEWER, False, False, False),
])
def test_each_role_s_rights_on_articles_and_replies(ctx, role, edits, contributes, manages_replies):
    article = kb.add_article(ctx, *CORPUS[0][:2], CORPUS[0][2])
    user = create_staff_user(ctx, f"u-{role.name.lower()}", "Someone", role, password="Correct-horse-9")
    ctx.session.flush()
    ctx.act_as(user)
    assert [h.id for h in kb.search_articles(ctx, "refund")] == [article.id], "every role reads"

    def allowed(fn) -> bool:
        try:
            fn()
        except PermissionDenied:
            return False
        return True

    assert allowed(lambda: kb.add_article(ctx, "Refund times", "Payment Issues",
                                          "Refunds take five working days to reach the card.")) is edits
    assert allowed(lambda: kb.update_article(ctx, article, status=ArticleStatus.DRAFT)) is edits
    assert allowed(lambda: kb.vote(ctx, article, True)) is contributes
    assert allowed(lambda: kb.suggest_edit(ctx, article, "Say how long a bank takes to show it.")) is contributes
    assert allowed(lambda: replies.save_reply(ctx, "thanks", "Thanks", "Resolution", "Thank you, {name}.")) \
        is manages_replies
