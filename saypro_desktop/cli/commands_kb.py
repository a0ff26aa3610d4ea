"""``saypro kb ...`` (the knowledge base) and ``saypro reply ...`` (canned replies)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.knowledge import ArticleCategory, ArticleStatus, ReplyUse
from .common import local, work

if TYPE_CHECKING:
    from ..services.knowledge import ArticleHit


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    kb = sub.add_parser("kb", parents=[common], help="the knowledge base: articles, search, suggestions")
    ksub = kb.add_subparsers(dest="action", metavar="ACTION", required=True)
    categories = ", ".join(c.value for c in ArticleCategory)
    add = ksub.add_parser("add", parents=[common], help="write an article (Marketing, Supervisors, Admins)")
    add.add_argument("--title", required=True)
    add.add_argument("--category", required=True, help=categories)
    add.add_argument("--body-file", type=Path, required=True, help="the article in Markdown (UTF-8)")
    add.add_argument("--related", default="", help="ids of related articles, comma-separated")
    add.add_argument("--draft", action="store_true", help="keep it from agents until published")
    add.add_argument("--review-days", type=int, default=None, help="review it every N days (default 180)")
    add.set_defaults(handler=cmd_kb_add)
    edit = ksub.add_parser("edit", parents=[common], help="change an article")
    edit.add_argument("article", help="its id (the first 8 characters do) or exact title")
    edit.add_argument("--title")
    edit.add_argument("--category", help=categories)
    edit.add_argument("--body-file", type=Path)
    edit.add_argument("--status", help=", ".join(s.value for s in ArticleStatus))
    edit.add_argument("--related", help="ids of related articles, comma-separated (replaces the list)")
    edit.set_defaults(handler=cmd_kb_edit)
    search = ksub.add_parser("search", parents=[common], help="find published articles (every word, best first)")
    search.add_argument("text")
    search.add_argument("--category", help=categories)
    search.add_argument("--limit", type=int, default=20)
    search.add_argument("--json", action="store_true")
    search.set_defaults(handler=cmd_kb_search)
    suggest = ksub.add_parser("suggest", parents=[common], help="articles for an inquiry's subject and description")
    suggest.add_argument("--subject", required=True)
    suggest.add_argument("--description", default="")
    suggest.add_argument("--limit", type=int, default=5)
    suggest.add_argument("--json", action="store_true")
    suggest.set_defaults(handler=cmd_kb_suggest)
    show = ksub.add_parser("show", parents=[common], help="an article with its votes and related articles")
    show.add_argument("article")
    show.set_defaults(handler=cmd_kb_show)
    lst = ksub.add_parser("list", parents=[common], help="every article, or those overdue for review")
    lst.add_argument("--overdue", action="store_true", help="only articles past their review date")
    lst.set_defaults(handler=cmd_kb_list)
    reviewed = ksub.add_parser("reviewed", parents=[common], help="record that an article was reviewed today")
    reviewed.add_argument("article")
    reviewed.set_defaults(handler=cmd_kb_reviewed)
    link = ksub.add_parser("link", parents=[common], help="record that an inquiry was answered with an article")
    link.add_argument("inquiry")
    link.add_argument("article")
    link.add_argument("--remove", action="store_true", help="remove the link instead")
    link.set_defaults(handler=cmd_kb_link)
    vote = ksub.add_parser("vote", parents=[common], help="was the article helpful?")
    vote.add_argument("article")
    vote.add_argument("verdict", choices=["helpful", "not-helpful"])
    vote.add_argument("--inquiry", help="the inquiry it was used for")
    vote.set_defaults(handler=cmd_kb_vote)
    propose = ksub.add_parser("propose", parents=[common], help="suggest an edit of an article (or a new one)")
    propose.add_argument("article", nargs="?", help="the article (none: a missing article)")
    propose.add_argument("--text", required=True)
    propose.set_defaults(handler=cmd_kb_propose)

    reply = sub.add_parser("reply", parents=[common], help="canned replies with {placeholders}")
    rsub = reply.add_subparsers(dest="action", metavar="ACTION", required=True)
    rlist = rsub.add_parser("list", parents=[common], help="the office's replies")
    rlist.add_argument("--use", help=", ".join(u.value for u in ReplyUse))
    rlist.add_argument("--json", action="store_true")
    rlist.set_defaults(handler=cmd_reply_list)
    rshow = rsub.add_parser("show", parents=[common], help="a reply, filled for an inquiry when one is given")
    rshow.add_argument("name")
    rshow.add_argument("--inquiry", help="fill the placeholders from this inquiry")
    rshow.set_defaults(handler=cmd_reply_show)
    rset = rsub.add_parser("set", parents=[common], help="add or change a reply (Supervisors, Admins)")
    rset.add_argument("name", help="lower-case letters, digits and hyphens, e.g. refund-done")
    rset.add_argument("--title", required=True)
    rset.add_argument("--use", required=True, help=", ".join(u.value for u in ReplyUse))
    rset.add_argument("--body-file", type=Path, required=True)
    rset.set_defaults(handler=cmd_reply_set)
    rremove = rsub.add_parser("remove", parents=[common], help="remove a reply the office wrote")
    rremove.add_argument("name")
    rremove.set_defaults(handler=cmd_reply_remove)


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8") from None


def _ids(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split(",") if p.strip()]


def cmd_kb_add(args: argparse.Namespace) -> int:
    from ..services import knowledge

    with work(args) as ctx:
        related = [knowledge.get_article(ctx, ref).id for ref in _ids(args.related)]
        extra: dict[str, Any] = {"review_every_days": args.review_days} if args.review_days else {}
        article = knowledge.add_article(ctx, args.title, args.category, _text(args.body_file), related=related,
                                        status=ArticleStatus.DRAFT if args.draft else ArticleStatus.PUBLISHED,
                                        **extra)
        print(f"article {article.id[:8]} saved ({article.status.value}): {article.title}")
    return 0


def cmd_kb_edit(args: argparse.Namespace) -> int:
    from ..services import knowledge

    with work(args) as ctx:
        article = knowledge.get_article(ctx, args.article)
        changes: dict[str, Any] = {}
        for name in ("title", "category", "status"):
            if getattr(args, name) is not None:
                changes[name] = getattr(args, name)
        if args.body_file is not None:
            changes["body"] = _text(args.body_file)
        if args.related is not None:
            changes["related"] = [knowledge.get_article(ctx, ref).id for ref in _ids(args.related)]
        if not changes:
            raise ValueError("nothing to change: give --title, --category, --body-file, --status or --related")
        knowledge.update_article(ctx, article, **changes)
        print(f"article {article.id[:8]} changed: {', '.join(sorted(changes))}")
    return 0


def _print_hits(hits: list[ArticleHit], as_json: bool) -> None:
    if as_json:
        print(json.dumps([{"id": h.id, "title": h.title, "category": h.category, "snippet": h.snippet,
                           "helpful": h.helpful, "not_helpful": h.not_helpful} for h in hits], indent=2,
                         ensure_ascii=False))
        return
    if not hits:
        print("no article found")
    for h in hits:
        votes = f"  (+{h.helpful}/-{h.not_helpful})" if h.helpful or h.not_helpful else ""
        print(f"{h.id[:8]}  {h.title}  [{h.category}]{votes}\n          {h.snippet}")


def cmd_kb_search(args: argparse.Namespace) -> int:
    from ..services import knowledge

    with work(args) as ctx:
        _print_hits(knowledge.search_articles(ctx, args.text, limit=args.limit, category=args.category), args.json)
    return 0


def cmd_kb_suggest(args: argparse.Namespace) -> int:
    from ..services import knowledge

    with work(args) as ctx:
        _print_hits(knowledge.suggest_articles(ctx, args.subject, args.description, limit=args.limit), args.json)
    return 0


def cmd_kb_show(args: argparse.Namespace) -> int:
    from ..models import StaffUser
    from ..services import knowledge

    with work(args) as ctx:
        a = knowledge.get_article(ctx, args.article)
        owner = ctx.session.get(StaffUser, a.owner_id) if a.owner_id else None
        hits = {h.id: h for h in knowledge.search_articles(ctx, a.title, limit=50)}
        votes = hits.get(a.id)
        print(f"{a.title}\n{a.category.value} · {a.status.value} · {a.id}")
        print(f"owner {owner.display_name if owner else '-'} · last reviewed {local(ctx, a.last_reviewed_at)} · "
              f"review every {a.review_every_days} days"
              + (f" · helpful {votes.helpful}, not helpful {votes.not_helpful}" if votes else ""))
        print()
        print(a.body)
        related = [knowledge.get_article(ctx, r) for r in a.related_ids]
        if related:
            print("\nRelated: " + "; ".join(f"{r.id[:8]} {r.title}" for r in related))
    return 0


def cmd_kb_list(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from ..models import KbArticle
    from ..services import knowledge

    with work(args) as ctx:
        if args.overdue:
            rows = knowledge.overdue_for_review(ctx)
            if not rows:
                print("no article is overdue for review")
        else:
            rows = list(ctx.session.scalars(select(KbArticle).where(KbArticle.deleted.is_(False))
                                            .order_by(KbArticle.category, KbArticle.title)))
        for a in rows:
            print(f"{a.id[:8]}  {a.category.value:<26} {a.status.value:<10} reviewed "
                  f"{local(ctx, a.last_reviewed_at)[:10]}  {a.title}")
    return 0


def cmd_kb_reviewed(args: argparse.Namespace) -> int:
    from ..services import knowledge

    with work(args) as ctx:
        a = knowledge.mark_reviewed(ctx, knowledge.get_article(ctx, args.article))
        print(f"article {a.id[:8]} reviewed on {local(ctx, a.last_reviewed_at)[:10]}")
    return 0


def cmd_kb_link(args: argparse.Namespace) -> int:
    from ..services import inquiries, knowledge

    with work(args) as ctx:
        inquiry = inquiries.get_inquiry(ctx, args.inquiry)
        article = knowledge.get_article(ctx, args.article)
        if args.remove:
            knowledge.unlink_article(ctx, inquiry, article)
            print(f"{inquiry.display_id}: no longer linked to {article.title}")
        else:
            knowledge.link_article(ctx, inquiry, article)
            print(f"{inquiry.display_id} answered with: {article.title}")
    return 0


def cmd_kb_vote(args: argparse.Namespace) -> int:
    from ..services import inquiries, knowledge

    with work(args) as ctx:
        inquiry = inquiries.get_inquiry(ctx, args.inquiry) if args.inquiry else None
        article = knowledge.get_article(ctx, args.article)
        knowledge.vote(ctx, article, args.verdict == "helpful", inquiry)
        print(f"vote recorded: {article.title} was {args.verdict.replace('-', ' ')}")
    return 0


def cmd_kb_propose(args: argparse.Namespace) -> int:
    from ..services import knowledge

    with work(args) as ctx:
        article = knowledge.get_article(ctx, args.article) if args.article else None
        knowledge.suggest_edit(ctx, article, args.text)
        print("suggestion recorded for the article's editors" if article else
              "suggestion of a new article recorded for the editors")
    return 0


def cmd_reply_list(args: argparse.Namespace) -> int:
    from ..services import replies

    with work(args) as ctx:
        rows = replies.replies(ctx, ReplyUse.parse(args.use) if args.use else None)
        if args.json:
            print(json.dumps([{"name": r.name, "title": r.title, "use": r.use.value, "body": r.body,
                               "built_in": r.row is None} for r in rows], indent=2, ensure_ascii=False))
            return 0
        for r in rows:
            print(f"{r.name:<20} {r.use.value:<16} {r.title}" + ("  (built in)" if r.row is None else ""))
    return 0


def cmd_reply_show(args: argparse.Namespace) -> int:
    from ..services import inquiries, replies

    with work(args) as ctx:
        reply = replies.get_reply(ctx, args.name)
        if args.inquiry:
            print(replies.fill_reply(ctx, reply, inquiries.get_inquiry(ctx, args.inquiry)))
        else:
            print(f"{reply.title} ({reply.use.value})\n\n{reply.body}")
    return 0


def cmd_reply_set(args: argparse.Namespace) -> int:
    from ..services import replies

    with work(args) as ctx:
        row = replies.save_reply(ctx, args.name, args.title, args.use, _text(args.body_file))
        print(f"reply {row.name} saved")
    return 0


def cmd_reply_remove(args: argparse.Namespace) -> int:
    from ..services import replies

    with work(args) as ctx:
        replies.remove_reply(ctx, args.name)
        print(f"reply {args.name} removed")
    return 0
