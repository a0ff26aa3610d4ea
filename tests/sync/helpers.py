"""What the sync tests share: a draft inquiry, offline work, snapshots of desktops and the checks that two
desktops converged with nothing lost or applied twice, and a server database backed up and restored."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from saypro_desktop.core.validation import InquiryDraft
from saypro_desktop.models import SYNCED_MODELS, ChangeLogEntry
from saypro_desktop.services import inquiries as svc
from saypro_desktop.store.changelog import synced_fields
from saypro_desktop.sync.engine import pending_count
from saypro_desktop.sync.protocol import encode
from saypro_server.store.schema import SYNCED, change_feed
from tests.server_fixtures import LiveServer, _pg_admin
from tests.sync.conftest import Desktop, edit

SMALL_PAGE = 4096  # the server's smallest page: several pages for a few dozen inquiries


def draft(subject: str, **kw: Any) -> InquiryDraft:
    values = dict(subject=subject, category="Technical Issue", mode="Email", user_type="Registered User",
                  user_full_name="Nomvula Sithole", user_email="nomvula@example.org",
                  description=f"{subject}: the page shows an error after the upload.")
    values.update(kw)
    return InquiryDraft(**values)


def offline_work(desk: Desktop, tag: str, inquiries: int = 3) -> list[str]:
    """New inquiries plus an edit, a status change and an action step: the kinds of outbox entries."""
    with desk.work() as ctx:
        refs = [svc.create_inquiry(ctx, draft(f"{tag} question {k}")).display_id for k in range(inquiries)]
    with desk.work() as ctx:
        svc.update_inquiry(ctx, edit(ctx, refs[0]), subject=f"{tag} question 0, edited offline")
        svc.change_status(ctx, edit(ctx, refs[-1]), "In Progress")
        svc.add_action_step(ctx, edit(ctx, refs[0]), f"{tag}: called the user back")
    return refs


def snapshot(desk: Desktop) -> dict[str, list[tuple[Any, ...]]]:
    """Every synced row with every synced field (not the stamps): what two converged desktops share."""
    out = {}
    with desk.store.session() as s:
        for name, model in SYNCED_MODELS.items():
            rows = s.scalars(select(model).order_by(model.id)).all()
            out[name] = [(r.id, *(encode(getattr(r, f)) for f in synced_fields(r))) for r in rows]
    return out


def differences(left: dict[str, list[tuple[Any, ...]]], right: dict[str, list[tuple[Any, ...]]]) -> list[str]:
    """What two snapshots disagree on, row by row and field by field (for a readable failure)."""
    out = []
    for name, model in SYNCED_MODELS.items():
        fields = ["id", *synced_fields(model())]
        a, b = ({r[0]: r for r in side.get(name, [])} for side in (left, right))
        for row_id in sorted(set(a) | set(b)):
            if row_id not in a or row_id not in b:
                out.append(f"{name} {row_id}: only on the {'right' if row_id not in a else 'left'}")
            elif a[row_id] != b[row_id]:
                diff = {fields[k] if k < len(fields) else k: (x, y)
                        for k, (x, y) in enumerate(zip(a[row_id], b[row_id], strict=False)) if x != y}
                out.append(f"{name} {row_id}: {diff}")
    return out[:20]


def outbox(desk: Desktop) -> Counter[str]:
    with desk.store.session() as s:
        return Counter(dict(s.execute(select(ChangeLogEntry.state, func.count()).group_by(ChangeLogEntry.state))
                            .all()))


def feed_size(server: LiveServer) -> int:
    with server.db.read() as conn:
        return conn.scalar(select(func.count()).select_from(change_feed))


def assert_nothing_applied_twice(server: LiveServer, *desks: Desktop) -> None:
    with server.db.read() as conn:
        created = Counter(row_id for row_id, versions in conn.execute(
            select(change_feed.c.row_id, change_feed.c.versions)) if "*" in versions)
        server_rows = {name: conn.scalar(select(func.count()).select_from(t)) for name, t in SYNCED.items()}
    assert created and max(created.values()) == 1, "a row was created twice in the server's feed"
    for desk in desks:
        local = snapshot(desk)
        assert {name: len(rows) for name, rows in local.items()} == server_rows, desk.name
        for name, rows in local.items():
            ids = [r[0] for r in rows]
            assert len(ids) == len(set(ids)), f"{desk.name}: {name} rows twice"
    refs = [row[1] for row in desks[0].inquiries()]
    assert None not in refs and len(refs) == len(set(refs)), "every inquiry has its own Inquiry ID"


def assert_converged(*desks: Desktop) -> None:
    first = snapshot(desks[0])
    for desk in desks[1:]:
        assert snapshot(desk) == first, f"{desk.name} differs from {desks[0].name}"
    for desk in desks:
        assert pending_count(desk.store) == 0, f"{desk.name} still has pending changes"
        assert outbox(desk)["rejected"] == 0, f"{desk.name} has refused changes"


def assert_has(desk: Desktop, refs: list[str], tag: str) -> None:
    """Nothing lost: the inquiries, the offline edit, the status change and the action step are there."""
    rows = {r[1]: r for r in desk.inquiries()}
    with desk.work() as ctx:
        found = [edit(ctx, ref) for ref in refs]  # provisional references still find the inquiry
        assert found[0].subject == f"{tag} question 0, edited offline"
        assert found[-1].status.value == "In Progress"
        assert any(step.text == f"{tag}: called the user back" for step in found[0].action_steps)
        assert all(i.inquiry_ref in rows for i in found)



# -- a server restored from a backup ---------------------------------------------------------------------------

def backup_server(server: LiveServer, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A copy of the server's database as it is now (the server is stopped for the copy, then started)."""
    server.stop()
    server.close()  # also lets go of the inspection engine
    url = make_url(server.db_url)
    if url.get_backend_name() == "sqlite":
        copy = tmp_path / "server-backup.sqlite3"
        shutil.copyfile(url.database, copy)
        saved = str(copy)
    else:
        saved = f"{url.database}_backup"

        def drop() -> None:
            with _pg_admin() as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{saved}" WITH (FORCE)')

        request.addfinalizer(drop)
        with _pg_admin() as admin:
            admin.execute(f'CREATE DATABASE "{saved}" TEMPLATE "{url.database}"')
    server.start()
    return saved


def restore_server(server: LiveServer, saved: str, number_gap: int | None = None) -> None:
    """Put the backup back, and ``rotate-epoch`` as the deployment guide says, before serving again."""
    server.stop()
    server.close()
    url = make_url(server.db_url)
    if url.get_backend_name() == "sqlite":
        for suffix in ("-wal", "-shm"):
            Path(url.database + suffix).unlink(missing_ok=True)
        shutil.copyfile(saved, url.database)
    else:
        with _pg_admin() as admin:
            admin.execute(f'DROP DATABASE "{url.database}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{url.database}" TEMPLATE "{saved}"')
    server.rotate_epoch(number_gap)
    server.start()
