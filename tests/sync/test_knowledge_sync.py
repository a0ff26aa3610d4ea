"""The knowledge base through the real server: an article Marketing writes on one desktop is suggested to an
agent on another after sync, with its votes and links; roles that may not write articles are refused alone."""

from __future__ import annotations

from saypro_desktop.core.knowledge import ReplyUse
from saypro_desktop.services import inquiries as svc
from saypro_desktop.services import knowledge as kb
from saypro_desktop.services import replies
from tests.conftest import draft


def test_an_article_written_on_one_desktop_is_suggested_on_another(live_server, desktops):
    marketing = desktops("mkt", "mira", "Marketing")
    agent = desktops("agent", "anna", "Support Agent")
    boss = desktops("boss", "sipho", "Supervisor")
    with marketing.work() as ctx:
        article_id = kb.add_article(ctx, "Duplicate charges and refunds", "Payment Issues",
                                    "If your card was charged twice for one ad, the second charge is refunded "
                                    "within 5 working days.").id
    with boss.work() as ctx:
        replies.save_reply(ctx, "refund-done", "Refund made", ReplyUse.RESOLUTION,
                           "Refunded the duplicate charge for {inquiry_id}.")
    for d in (marketing, boss, agent):
        d.sync()
    with agent.work() as ctx:
        found = kb.suggest_articles(ctx, "Charged twice for my ad")
        assert [h.id for h in found] == [article_id], "the article arrived and is indexed for search"
        inquiry = svc.create_inquiry(ctx, draft(subject="Charged twice for my ad"))
        article = kb.get_article(ctx, article_id)
        kb.link_article(ctx, inquiry, article)
        kb.vote(ctx, article, True, inquiry)
        kb.suggest_edit(ctx, article, "Say that EFT refunds take longer than card refunds.")
        text = replies.fill_reply(ctx, replies.get_reply(ctx, "refund-done"), inquiry)
        assert text == f"Refunded the duplicate charge for {inquiry.display_id}."
    agent.sync()
    marketing.sync()
    with marketing.work() as ctx:
        hit = kb.search_articles(ctx, "refund")[0]
        assert (hit.id, hit.helpful) == (article_id, 1)
        [suggestion] = kb.open_suggestions(ctx)
        kb.handle_suggestion(ctx, suggestion, accepted=True)
        kb.update_article(ctx, kb.get_article(ctx, article_id), body="Card refunds take 5 working days; EFT "
                                                                     "refunds up to 10.")
    marketing.sync()
    agent.sync()
    with agent.work() as ctx:
        assert [h.id for h in kb.search_articles(ctx, "EFT")] == [article_id], "the edit is re-indexed on pull"
        assert kb.open_suggestions(ctx) == []


def test_the_server_applies_the_article_rules_to_every_row(live_server, desk):
    agent, mkt = desk("anna"), desk("mira", "Marketing")
    now = "2026-11-20T09:00:00+00:00"
    article = {"title": "Resetting your password", "category": "Account Management", "status": "Published",
               "body": "Use Forgot password on the sign-in page.", "related_ids": [], "owner_id": None,
               "created_by_id": None, "written_at": now, "last_reviewed_at": now, "review_every_days": 180,
               "deleted": False}
    by_agent = agent.mutation("kb_article", "a" * 8 + "-0000-4000-8000-000000000001", article, op="insert")
    by_mkt = mkt.mutation("kb_article", "b" * 8 + "-0000-4000-8000-000000000002", article, op="insert")
    assert [r["status"] for r in agent.push(by_agent)["results"]] == ["rejected"]
    assert [r["status"] for r in mkt.push(by_mkt)["results"]] == ["applied"]
    suggestion = {"article_id": by_mkt["row_id"], "text": "Mention the spam folder.", "suggested_by_id": None,
                  "suggested_at": now, "outcome": None, "handled_by_id": None, "handled_at": None, "deleted": False}
    accepted = {**suggestion, "outcome": "accepted"}
    results = agent.push(agent.mutation("kb_suggestion", "c" * 8 + "-0000-4000-8000-000000000003", accepted,
                                        op="insert"),
                         agent.mutation("kb_suggestion", "d" * 8 + "-0000-4000-8000-000000000004", suggestion,
                                        op="insert"))["results"]
    assert [r["status"] for r in results] == ["rejected", "applied"]
    assert "may not set kb_suggestion.outcome" in results[0]["reason"], "an agent does not accept their own edit"
    own = agent.push(agent.mutation("kb_suggestion", "d" * 8 + "-0000-4000-8000-000000000004",
                                    {"outcome": "accepted"}))["results"][0]
    assert own["status"] == "rejected"
    reply = {"name": "ack", "title": "Ack", "use": "Acknowledgement", "body": "Your reference is {inquiry_id}.",
             "edited_by_id": None, "deleted": False}
    assert mkt.push(mkt.mutation("canned_reply", "e" * 8 + "-0000-4000-8000-000000000005", reply,
                                 op="insert"))["results"][0]["status"] == "rejected", "Marketing writes articles only"


def test_every_permission_that_writes_a_synced_table_lets_its_role_push():
    from saypro_desktop.models.sync_spec import WRITE_PERMISSIONS
    from saypro_desktop.sync.protocol import SPECS

    named = set()
    for spec in SPECS.values():
        named |= spec.insert | spec.updaters() | spec.delete
        for permissions in spec.field_permissions.values():
            named |= permissions
    assert named <= WRITE_PERMISSIONS, named - WRITE_PERMISSIONS


def test_feedback_recorded_offline_reaches_the_other_desktop_s_weekly_analysis(live_server, desktops):
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import select

    from saypro_desktop.models import Feedback
    from saypro_desktop.services import feedback

    agent = desktops("agent", "anna", "Support Agent")
    boss = desktops("boss", "sipho", "Supervisor")
    mod = desktops("mod", "mo", "Moderator")
    with agent.work() as ctx:  # offline: nothing synced yet
        inquiry = svc.create_inquiry(ctx, draft(subject="Charged twice for my ad"))
        svc.assign(ctx, inquiry, ctx.actor)
        svc.change_status(ctx, inquiry, "Resolved", resolution="Refunded the second charge to the card.")
        svc.record_feedback(ctx, inquiry, 2, "The refund took two weeks")
        feedback.record(ctx, "The app keeps crashing when I upload photos", "Email", from_name="Lerato Mokoena",
                        from_contact="lerato@example.org")
    for d in (agent, boss, mod):
        d.sync()
    now = datetime.now(UTC)
    with boss.work() as ctx:
        result = feedback.analysis(ctx, now - timedelta(days=1), now + timedelta(minutes=1))
        assert result.ratings == 1 and result.feedback_items == 1
        assert [c.label for c in result.top_complaints] == ["Payments", "Technical issue"]
        assert result.csat_trend[-1].average == 2.0
        assert ctx.session.scalar(select(Feedback.from_name)) == "Lerato Mokoena"
    with mod.store.session() as s:
        item = s.scalars(select(Feedback)).one()
        assert (item.from_name, item.from_contact) == (None, None), "a Moderator gets no one's contact details"


def test_the_server_keeps_the_services_rules_on_votes_links_and_feedback(live_server, desk):
    from datetime import UTC, datetime, timedelta

    from saypro_desktop.core.knowledge import link_row_id
    from saypro_desktop.core.uuids import new_id

    mkt, agent = desk("mira", "Marketing"), desk("anna")
    now = datetime.now(UTC).replace(microsecond=0)
    article_id = new_id()
    assert mkt.push(mkt.mutation("kb_article", article_id, {
        "title": "Resetting your password", "category": "Account Management", "status": "Published",
        "body": "Use Forgot password on the sign-in page.", "related_ids": [], "owner_id": None,
        "created_by_id": None, "written_at": now.isoformat(), "last_reviewed_at": now.isoformat(),
        "review_every_days": 180, "deleted": False}, op="insert"))["results"][0]["status"] == "applied"
    inquiry_id, m = agent.insert_inquiry()
    vote = {"article_id": article_id, "helpful": True, "voter_id": None, "voted_at": now.isoformat(),
            "inquiry_id": inquiry_id, "deleted": False}
    link = {"inquiry_id": inquiry_id, "article_id": article_id, "linked_by_id": None,
            "linked_at": now.isoformat(), "deleted": False}
    item = {"received_at": (now + timedelta(days=3)).isoformat(), "source": "Email", "text": "Slow pages",
            "rating": None, "theme": "Performance", "sentiment": "Negative", "priority": "Medium",
            "inquiry_id": None, "ad_id": None, "from_name": None, "from_contact": None, "recorded_by_id": None,
            "deleted": False}
    results = agent.push(m, agent.mutation("kb_vote", new_id(), vote, op="insert"),
                         agent.mutation("kb_vote", new_id(), vote, op="insert"),
                         agent.mutation("inquiry_article", new_id(), link, op="insert"),
                         agent.mutation("inquiry_article", link_row_id(inquiry_id, article_id), link, op="insert"),
                         agent.mutation("feedback", new_id(), item, op="insert"),
                         agent.mutation("feedback", new_id(), {**item, "received_at": now.isoformat()},
                                        op="insert"))["results"]
    assert [r["status"] for r in results] == ["applied", "applied", "rejected", "rejected", "applied", "rejected",
                                              "applied"], results
    assert "already voted" in results[2]["reason"] and "one link per pair" in results[3]["reason"]
    assert "in the future" in results[5]["reason"]
