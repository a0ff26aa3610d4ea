"""Attacks by ordinary accounts (a Support Agent, a Moderator with a modified desktop) and bad luck, found by
a review of the sync-trust work, each through the real server on loopback (SQLite and PostgreSQL).

Every test states what docs/SYNC_PROTOCOL.md and docs/PERMISSIONS.md promise; each failed before its fix."""

from __future__ import annotations

import json

from sqlalchemy import func, select, update

from saypro_desktop.core.uuids import new_id
from saypro_desktop.services import inquiries as svc
from saypro_server.store.schema import SYNCED, change_feed, number_counter
from tests.desk_client import inquiry_fields, today
from tests.sync.conftest import edit
from tests.sync.helpers import backup_server, draft, restore_server


def _row(server, table, row_id):
    t = SYNCED[table]
    with server.db.read() as conn:
        return conn.execute(select(t).where(t.c.id == row_id)).mappings().first()


def _feed_top(server) -> int:
    with server.db.read() as conn:
        return conn.scalar(select(func.coalesce(func.max(change_feed.c.seq), 0)))


def _feed_bytes_after(server, seq: int) -> int:
    with server.db.read() as conn:
        rows = conn.execute(select(change_feed.c.fields).where(change_feed.c.seq > seq)).all()
    return sum(len(json.dumps(fields)) for (fields,) in rows)


# -- personal details: a Moderator must not learn them ----------------------------------------------------------

def test_a_moderator_cannot_confirm_a_guess_of_an_inquirers_email_through_push_answers(live_server, desk):
    """PERMISSIONS.md: a Moderator neither sees nor changes an inquirer's personal details. The server judges
    only the fields whose value would change, so pushing a guess answers 'applied' when it is right and
    'rejected' when it is wrong: an oracle on every personal field of every inquiry."""
    agent, mod = desk("anna"), desk("mo", "Moderator")
    row_id, m = agent.insert_inquiry(user_email="thandiwe@example.org", user_phone="+27 82 555 0101")
    assert agent.push(m)["results"][0]["status"] == "applied"
    pulled = [c for c in mod.pull_all() if c["row_id"] == row_id]
    assert pulled and "user_email" not in pulled[0]["fields"], "the Moderator is not shown the email"
    guesses = ["sipho@example.org", "thandiwe@example.org", "+27 82 555 0100", "+27 82 555 0101"]
    probes = [mod.mutation("inquiry", row_id, {"user_email" if "@" in g else "user_phone": g}) for g in guesses]
    answers = [r["status"] for r in mod.push(*probes)["results"]]
    # Whatever the guess, the answer must be the same (a Moderator may not write these fields at all).
    assert len(set(answers)) == 1, f"right and wrong guesses are told apart: {list(zip(guesses, answers, strict=True))}"


def test_a_moderator_cannot_confirm_personal_values_in_an_audit_entry_by_sending_it_again(live_server, desk):
    """The pull strips personal fields from audit entries' ``changes`` for a Moderator. Sending the same audit
    row id again is answered 'duplicate' when every value matches and 'rejected' otherwise: guessing the
    stripped old and new email confirms them."""
    agent, mod = desk("anna"), desk("mo", "Moderator")
    row_id, m = agent.insert_inquiry()
    audit_id = new_id()
    at = inquiry_fields()["logged_at"]
    real = {"user_email": ["thandiwe@example.org", "t.nkosi@example.net"], "subject": ["A", "B"]}
    trail = agent.mutation("audit_entry", audit_id, {"at": at, "entity": "inquiry", "entity_id": row_id,
                                                     "action": "update", "changes": real, "deleted": False},
                           op="insert")
    agent.push(m, trail)
    seen = next(c for c in mod.pull_all() if c["row_id"] == audit_id)["fields"]
    assert seen["changes"] == {"subject": ["A", "B"]}, "the Moderator is not shown the emails"
    base = {k: v for k, v in seen.items() if k not in ("changes",)}
    wrong = mod.mutation("audit_entry", audit_id, {**base, "changes": {
        **seen["changes"], "user_email": ["x@example.org", "y@example.org"]}}, op="insert")
    right = mod.mutation("audit_entry", audit_id, {**base, "changes": {
        **seen["changes"], "user_email": ["thandiwe@example.org", "t.nkosi@example.net"]}}, op="insert")
    answers = [r["status"] for r in mod.push(wrong, right)["results"]]
    assert answers[0] == answers[1], f"a wrong and a right guess are told apart: {answers}"


def test_sync_versions_does_not_tell_a_moderator_about_personal_fields(live_server, desk):
    """The pull withholds personal fields and their stamps from a Moderator; /sync/versions hands them out
    (when the inquirer's email or phone was last changed, and by which device)."""
    agent, mod = desk("anna"), desk("mo", "Moderator")
    row_id, m = agent.insert_inquiry()
    agent.push(m)
    agent.push(agent.mutation("inquiry", row_id, {"user_phone": "+27 82 555 0199"}))
    r = mod.post("/sync/versions", {"table": "inquiry", "ids": [row_id]})
    assert r.status_code == 200, r.text
    stamps = r.json()["versions"][row_id]
    assert "user_phone" not in stamps, f"a Moderator is told the stamps of personal fields: {stamps}"


# -- Inquiry numbers ------------------------------------------------------------------------------------------------

def test_two_agents_renumbered_for_the_same_id_both_keep_their_inquiries(live_server, desk):
    """Two stores that issued the same ID outside any lease (two agents' desktops used on their own, both
    starting at 0001 of the month; or one desktop's number told twice): each is renumbered, the old ID becoming
    its provisional reference. The second one's provisional reference clashes with the first one's and the
    inquiry is REJECTED: never stored, and everything that refers to it is refused too."""
    a, b = desk("anna"), desk("bongani")
    month = f"{today():%y%m}"
    taken = a.post("/ids/lease", {"month": month, "count": 50}).json()  # the office uses this month's numbers
    assert taken["first"] == 1
    _, first = a.insert_inquiry(inquiry_ref=f"SCMR-{month}-0777")
    assert "not leased" in a.push(first)["results"][0]["reason"]
    second_id, second = b.insert_inquiry(inquiry_ref=f"SCMR-{month}-0777")
    step = b.mutation("action_step", new_id(), {"inquiry_id": second_id, "at": inquiry_fields()["logged_at"],
                                                "kind": "Note", "text": "Called back", "deleted": False}, op="insert")
    results = b.push(second, step)["results"]
    assert [r["status"] for r in results] == ["applied", "applied"], results
    assert _row(live_server, "inquiry", second_id) is not None


def test_an_agent_can_make_another_agents_inquiry_be_refused_by_taking_its_id_as_provisional_reference(
        live_server, desk):
    """An inquiry ID is accepted as anyone's provisional reference (PERMISSIONS: 'an Inquiry ID has its printed
    form'). An agent who stores SCMR-YYMM-0001.. as provisional references in advance makes every later
    renumbering of that ID (a colleague's desktop used on its own, a block refused after a restore) refuse the
    inquiry instead."""
    mallory, victim = desk("mallory"), desk("anna")
    month = f"{today():%y%m}"
    mallory.post("/ids/lease", {"month": month, "count": 10})
    _, squat = mallory.insert_inquiry(provisional_ref=f"SCMR-{month}-0001")
    assert mallory.push(squat)["results"][0]["status"] == "applied"
    row_id, m = victim.insert_inquiry(inquiry_ref=f"SCMR-{month}-0001")  # logged on a standalone desktop
    result = victim.push(m)["results"][0]
    assert result["status"] == "applied", result
    assert _row(live_server, "inquiry", row_id) is not None


def test_a_provisional_inquiry_flood_by_one_agent_cannot_leave_the_office_without_numbers(live_server, desk):
    """SYNC_PROTOCOL.md: 'Nothing a desktop sends can use up a month's 99,999 numbers'. Inquiries pushed with
    only a provisional reference are numbered by the server with no limit per user, so one agent can use up a
    month; after that every desktop's new inquiry of that month is REJECTED ('no inquiry ID can be given').
    (The month is made busy first, to keep the test short: 96,000 numbers already used by the office.)"""
    mallory, other = desk("mallory"), desk("anna")
    month = f"{today():%y%m}"
    other.post("/ids/lease", {"month": month, "count": 1})
    with live_server.db.write() as conn:
        conn.execute(update(number_counter).where(number_counter.c.month == month).values(next=96_000))
    sent = 0
    while sent < 4_100:
        batch = [mallory.insert_inquiry(provisional_ref=f"SCMR-{month}-PBAD0-{sent + k + 1}", subject="x",
                                        description="x")[1] for k in range(200)]
        answers = mallory.push(*batch)["results"]
        assert {r["status"] for r in answers} == {"applied"}, "nothing is lost: kept, numbered or not"
        sent += len(batch)
    inquiry = SYNCED["inquiry"]
    with live_server.db.read() as conn:
        numbered = conn.scalar(select(func.count()).select_from(inquiry).where(
            inquiry.c.provisional_ref.like("%-PBAD0-%"), inquiry.c.inquiry_ref.is_not(None)))
    assert numbered == 2_000, "the server gives one user at most 2,000 numbers of a month; the rest keep theirs"
    row_id, m = other.insert_inquiry(provisional_ref=f"SCMR-{month}-P0A0A-1")
    result = other.push(m)["results"][0]
    assert result["status"] == "applied" and _row(live_server, "inquiry", row_id)["inquiry_ref"] is not None


def test_one_supervisor_push_cannot_use_up_a_month(live_server, desk):
    """A Supervisor's pushed ID outside any lease is kept and the counter moves past it ('a standalone desktop
    they connect'). One inquiry numbered SCMR-YYMM-99999 (a typing slip in an import) ends the month for the
    whole office: every lease is refused and every new inquiry of the month is rejected."""
    boss, agent = desk("boss", "Supervisor"), desk("anna")
    month = f"{today():%y%m}"
    _, m = boss.insert_inquiry(inquiry_ref=f"SCMR-{month}-99999")
    assert boss.push(m)["results"][0]["status"] == "applied"
    assert agent.post("/ids/lease", {"month": month, "count": 200}).status_code == 200, "no numbers left"
    _, mine = agent.insert_inquiry(provisional_ref=f"SCMR-{month}-P0A0A-1")
    assert agent.push(mine)["results"][0]["status"] == "applied"


def test_a_supervisors_pushed_id_does_not_take_a_number_leased_to_another_desktop(live_server, desk):
    """SYNC_PROTOCOL.md: a lease is 'a block of Inquiry ID sequence numbers of that month that no other device
    will ever get'. A Supervisor's pushed ID that lies in an agent's leased, still unused block is kept, and the
    agent's inquiry with that ID (told to the inquirer) is renumbered when it arrives."""
    boss, agent = desk("boss", "Supervisor"), desk("anna")
    month = f"{today():%y%m}"
    block = agent.post("/ids/lease", {"month": month, "count": 200}).json()
    ref = f"SCMR-{month}-{block['first'] + 5:04d}"
    _, theirs = boss.insert_inquiry(inquiry_ref=ref)
    boss.push(theirs)
    mine_id, mine = agent.insert_inquiry(inquiry_ref=ref)  # issued from its own lease, offline
    agent.push(mine)
    assert _row(live_server, "inquiry", mine_id)["inquiry_ref"] == ref, "the leased ID the inquirer was told"


# -- cost -----------------------------------------------------------------------------------------------------------

def test_refused_mutations_cannot_multiply_what_every_desktop_must_pull(live_server, desk):
    """Each refused mutation of a stored row appends the row's current values of the named fields to the feed
    (a compensating change), and so does each update that loses by stamp. One small request naming a large
    field 200 times adds 200 copies of it to the feed that every desktop downloads and the server keeps."""
    mallory = desk("mallory")
    row_id, m = mallory.insert_inquiry(description="x" * 100_000)
    mallory.push(m)
    top = _feed_top(live_server)
    junk = [mallory.mutation("inquiry", row_id, {"description": 0}) for _ in range(200)]  # wrong type: refused
    body = len(json.dumps(mallory.envelope(junk)))
    assert {r["status"] for r in mallory.push(*junk)["results"]} == {"rejected"}
    grown = _feed_bytes_after(live_server, top)
    assert grown <= 10 * body, f"a {body:,}-byte request added {grown:,} bytes to the change feed"


# -- values every desktop must be able to use -----------------------------------------------------------------------

def test_an_agent_cannot_push_a_time_that_breaks_every_desktops_csv_export(
        live_server, desk, desktops):
    """Times are checked only for fitting the calendar in UTC. 9999-12-31T23:59Z is accepted, pulled without
    being set aside, and cannot be shown in the office's time zone (UTC+2): an agent who sets it on any
    inquiry (acknowledged_at, assigned_at: fields an agent may change) makes every CSV export of the office
    fail on every desktop (export_inquiries raises OverflowError)."""
    from saypro_desktop.services.csv_io import export_inquiries

    colleague = desktops("real", "anna")
    with colleague.work() as ctx:
        ref = svc.create_inquiry(ctx, draft("Payment not received")).display_id
    colleague.sync()
    mallory = desk("mallory")
    mallory.pull_all()
    row_id = next(r[0] for r in colleague.inquiries() if r[1] == ref)
    end = "9999-12-31T23:59:59+00:00"
    answer = mallory.push(mallory.mutation("inquiry", row_id, {"acknowledged_at": end, "assigned_at": end}))
    assert answer["results"][0]["status"] == "rejected" and "2000 to 2099" in answer["results"][0]["reason"]
    report = colleague.sync()
    assert report.set_aside == []
    problems = []
    with colleague.work() as ctx:
        try:
            export_inquiries(ctx, colleague.store.paths.root / "all.csv")
        except OverflowError as exc:
            problems.append(f"exporting the office's inquiries: {exc!r}")
    assert problems == []


# -- restores ---------------------------------------------------------------------------------------------------------

def test_after_a_restore_an_agent_resending_a_colleagues_lost_inquiry_does_not_renumber_it(
        live_server, desktops, tmp_path, request):
    """After a restore, a change that waits for a lost row makes its desktop send the row first ('retry' with
    'needs'). When that desktop is not the inquiry's, the server takes its Inquiry ID as 'not leased to this
    desktop' (the number is in the colleague's block, which the restored database still knows) and renumbers
    it; the colleague's own re-sent insert then keeps the new number. The ID the inquirer was told changes,
    although SYNC_PROTOCOL.md says an inquiry the server had numbered before the restore keeps its number."""
    anna, ben = desktops("a", "anna"), desktops("b", "ben")  # both leased their blocks before the backup
    saved = backup_server(live_server, tmp_path, request)
    with anna.work() as ctx:
        ref = svc.create_inquiry(ctx, draft("Invoice shows the wrong VAT")).display_id
    anna.sync()
    ben.sync()
    with ben.work() as ctx:
        svc.add_action_step(ctx, edit(ctx, ref), "Ben: phoned the advertiser")
    ben.sync()
    restore_server(live_server, saved)
    ben.sync()  # ben happens to sync first; his note needs anna's inquiry
    anna.sync()
    ben.sync()
    anna.sync()
    refs = {r[0]: r[1] for r in anna.inquiries()}
    row_id = next(r[0] for r in anna.inquiries() if ref in (r[1], r[2]))
    assert refs[row_id] == ref, f"anna's inquiry {ref} is now {refs[row_id]}"


def test_after_a_restore_an_agent_cannot_take_the_numbers_a_colleagues_block_held(live_server, desk, tmp_path,
                                                                                   request):
    """Numbers leased after the backup are in the restore's gap; the desktop that holds them claims them at its
    next sync (/ids/claim). Before it does, any agent's pushed ID inside the gap is kept (in_restore_gap): by
    pushing the gap's first numbers an agent makes the colleague's claim refused and the colleague's inquiries
    (IDs already told to inquirers) renumbered."""
    ben, mallory = desk("ben"), desk("mallory")
    month = f"{today():%y%m}"
    old_epoch = ben.login["server_epoch"]
    saved = backup_server(live_server, tmp_path, request)
    block = ben.post("/ids/lease", {"month": month, "count": 200}).json()  # after the backup
    offline_id, offline = ben.insert_inquiry(inquiry_ref=f"SCMR-{month}-{block['first']:04d}")  # not sent yet
    restore_server(live_server, saved)
    mallory = desk("mallory", device_id=mallory.device_id, device_key=mallory.device_key)
    squat = [mallory.insert_inquiry(inquiry_ref=f"SCMR-{month}-{n:04d}")[1]
             for n in range(block["first"], block["first"] + 10)]
    answers = mallory.push(*squat)["results"]
    assert all("not leased" in (r["reason"] or "") for r in answers), "renumbered, not kept"
    ben = desk("ben", device_id=ben.device_id, device_key=ben.device_key)  # signs in again after the restore
    claim = ben.post("/ids/claim", {"epoch": old_epoch, "blocks": [block]}).json()
    ben.push(offline)
    problems = [f"claim refused: {b['reason']}" for b in claim["refused"]]
    stored = _row(live_server, "inquiry", offline_id)["inquiry_ref"]
    if stored != offline["fields"]["inquiry_ref"]:
        problems.append(f"ben's {offline['fields']['inquiry_ref']} was renumbered {stored}")
    assert problems == []


def test_after_a_restore_an_agent_cannot_overwrite_a_colleagues_lost_note(live_server, desktops, desk, tmp_path,
                                                                             request):
    """Row ids of rows lost in a restore are known to every desktop that pulled them. An agent who inserts such
    an action step first, with other text, makes the author's own re-sent note 'already stored with other values
    (append-only)': refused, and the author's desktop is sent the agent's text instead. Acknowledged work lost."""
    anna = desktops("a", "anna")
    mallory = desk("mallory")
    with anna.work() as ctx:
        ref = svc.create_inquiry(ctx, draft("Ad rejected twice")).display_id
    anna.sync()
    saved = backup_server(live_server, tmp_path, request)
    with anna.work() as ctx:
        svc.add_action_step(ctx, edit(ctx, ref), "Promised a full refund by Friday")
    anna.sync()
    note = next(c for c in mallory.pull_all() if c["table"] == "action_step")
    restore_server(live_server, saved)
    mallory = desk("mallory", device_id=mallory.device_id, device_key=mallory.device_key)
    forged = {**note["fields"], "text": "Told the advertiser no refund is possible"}
    answer = mallory.push(mallory.mutation("action_step", note["row_id"], forged, op="insert"))["results"][0]
    assert answer["status"] == "rejected" and "the person who wrote it" in answer["reason"]
    report = anna.sync()
    with anna.work() as ctx:
        texts = [s.text for s in edit(ctx, ref).action_steps]
    assert report.rejected == [] and "Promised a full refund by Friday" in texts, (report.rejected, texts)


def test_after_a_restore_a_refused_resend_of_a_needed_row_is_not_repeated_500_times(live_server, desktops, desk,
                                                                                    tmp_path, request):
    """A change that waits for a lost row ('retry', 'needs') makes the desktop queue that row in front and push
    again, up to 500 times per sync. When the row's insert is refused (here: an agent took the inquiry's old ID
    as a provisional reference, so the server's renumbering clashes), the change waits again, the row is queued
    again, and so on: every sync adds hundreds of refused entries, which are never dropped."""
    from saypro_desktop.models import ChangeLogEntry

    anna, ben = desktops("a", "anna"), desktops("b", "ben")
    mallory = desk("mallory")
    saved = backup_server(live_server, tmp_path, request)
    with anna.work() as ctx:
        ref = svc.create_inquiry(ctx, draft("Refund for a cancelled ad")).display_id
    anna.sync()
    ben.sync()
    with ben.work() as ctx:
        svc.add_action_step(ctx, edit(ctx, ref), "Ben: refund approved")
    ben.sync()
    restore_server(live_server, saved)
    mallory = desk("mallory", device_id=mallory.device_id, device_key=mallory.device_key)
    mallory.push(mallory.insert_inquiry(provisional_ref=ref)[1])
    ben.sync()
    with ben.store.session() as s:
        refused = s.scalar(select(func.count()).select_from(ChangeLogEntry).where(ChangeLogEntry.state == "rejected"))
    assert refused <= 1, f"one sync left {refused} refused entries in ben's outbox"


def test_two_agents_linking_the_same_two_inquiries_offline_converge(live_server, desktops):
    """Both desktops link the same pair while offline (two rows, one pair). The second push is refused ('another
    inquiry_link already has ...'), its desktop keeps its own row, and the first desktop's row is then set aside
    there (a local clash): the desktops never agree, and an unlink on one side never reaches the other."""
    from saypro_desktop.services.links_and_files import link_inquiries, unlink_inquiries

    anna, ben = desktops("a", "anna"), desktops("b", "ben")
    with anna.work() as ctx:
        x = svc.create_inquiry(ctx, draft("Duplicate listing")).display_id
        y = svc.create_inquiry(ctx, draft("Same advertiser, same listing")).display_id
    anna.sync()
    ben.sync()
    for who in (anna, ben):
        with who.work() as ctx:
            link_inquiries(ctx, edit(ctx, x), edit(ctx, y))
    first, second = anna.sync(), ben.sync()
    anna.sync()
    with anna.work() as ctx:
        unlink_inquiries(ctx, edit(ctx, x), edit(ctx, y))
    anna.sync()
    third = ben.sync()
    problems = first.rejected + second.rejected + second.set_aside + third.set_aside
    with ben.work() as ctx:
        from saypro_desktop.services.inquiry_queries import linked_inquiries
        if linked_inquiries(ctx.session, edit(ctx, x)):
            problems.append("ben still shows the two inquiries linked after anna unlinked them")
    assert problems == []


def test_two_agents_connecting_desktops_used_on_their_own_keep_all_their_work(live_server, desktops, tmp_path):
    """The bad-luck form of the renumbering clash, end to end: two agents each used SayPro Desk on their own
    (both desktops numbered SCMR-YYMM-0001 first) and connect in a month whose first numbers the office has
    leased already. The first is renumbered (its old ID kept as provisional reference); the second's inquiry
    and its note are refused for good."""
    from saypro_desktop.services.context import acting
    from saypro_desktop.services.staff import create_staff_user
    from saypro_desktop.store import DataPaths, open_store
    from saypro_desktop.sync.credentials import MemoryTokenStore
    from saypro_desktop.sync.engine import SyncEngine, enroll, make_client
    from tests.server_fixtures import DEFAULT_PASSWORD

    desktops("office", "zodwa")  # the office already leased this month's first block
    reports = []
    for name in ("lerato", "thabo"):
        live_server.create_user(name, "Support Agent")
        store = open_store(DataPaths(tmp_path / f"standalone-{name}"))
        with acting(store) as ctx:  # the first local Admin creates the agent, who works alone
            create_staff_user(ctx, name, name.title(), "Support Agent", password=DEFAULT_PASSWORD)
        with acting(store, name) as ctx:
            inquiry = svc.create_inquiry(ctx, draft(f"Logged offline by {name}"))
            svc.add_action_step(ctx, inquiry, f"{name} called the user back")
            assert inquiry.display_id.endswith("-0001")
        client = make_client(store, live_server.url, MemoryTokenStore(), name)
        enroll(store, client, name, DEFAULT_PASSWORD)
        reports.append(SyncEngine(store, client).run())
        client.close()
        store.close()
    assert [r.rejected for r in reports] == [[], []]


def test_lease_answers_lost_on_a_bad_line_do_not_leave_a_user_without_numbers(live_server, desk):
    """A lease takes a new block at every request. Answers lost after the server committed (a time-out on a bad
    line) leave blocks no desktop holds, yet they count against the user's 2,000 unused numbers of the month:
    after ten lost answers none of the user's desktops gets numbers for the rest of the month."""
    anna = desk("anna")
    month = f"{today():%y%m}"
    request_id = new_id()  # the desktop saves it before asking, and asks again with it
    blocks = [anna.post("/ids/lease", {"month": month, "count": 200, "request_id": request_id}).json()
              for _ in range(10)]  # nine answers lost
    assert all(b == blocks[0] for b in blocks), "the same block each time"
    r = anna.post("/ids/lease", {"month": month, "count": 200, "request_id": new_id()})
    assert r.status_code == 200 and r.json()["first"] == blocks[0]["last"] + 1, r.text
