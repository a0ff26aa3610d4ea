from datetime import UTC, datetime

from sqlalchemy import select

from saypro_desktop.models import IdBlock, Setting
from saypro_desktop.services.context import acting
from saypro_desktop.services.inquiries import create_inquiry, get_inquiry
from saypro_desktop.services.inquiry_numbers import ENROLLED_KEY
from tests.conftest import draft


def test_ids_run_per_month_and_roll_over(store, clock):
    refs = []
    with acting(store, clock=clock) as ctx:
        refs.append(create_inquiry(ctx, draft()).display_id)
        refs.append(create_inquiry(ctx, draft()).display_id)
        # 31 January 23:30 in Johannesburg is still January there (21:30 UTC).
        clock.t = datetime(2025, 1, 31, 21, 30, tzinfo=UTC)
        refs.append(create_inquiry(ctx, draft()).display_id)
        clock.t = datetime(2025, 1, 31, 22, 30, tzinfo=UTC)  # 00:30 on 1 February locally
        refs.append(create_inquiry(ctx, draft()).display_id)
        clock.t = datetime(2025, 12, 31, 22, 30, tzinfo=UTC)  # 1 January 2026 locally
        refs.append(create_inquiry(ctx, draft()).display_id)
    assert refs == ["SCMR-2501-0001", "SCMR-2501-0002", "SCMR-2501-0003", "SCMR-2502-0001", "SCMR-2601-0001"]
    assert len(set(refs)) == len(refs)


def test_past_9999_the_sequence_takes_five_digits(store, clock):
    with acting(store, clock=clock) as ctx:
        create_inquiry(ctx, draft())
        block = ctx.session.scalar(select(IdBlock).where(IdBlock.month_key == "2501"))
        block.next = 9999
        assert create_inquiry(ctx, draft()).display_id == "SCMR-2501-9999"
        assert create_inquiry(ctx, draft()).display_id == "SCMR-2501-10000"


def test_an_enrolled_desktop_out_of_numbers_issues_provisional_references(store, clock):
    with acting(store, clock=clock) as ctx:
        ctx.session.add(Setting(key=ENROLLED_KEY, value=True))
        ctx.session.add(IdBlock(month_key="2501", first=201, last=202, next=201, source="lease"))
        ctx.session.flush()
        made = [create_inquiry(ctx, draft()) for _ in range(4)]
        refs = [i.display_id for i in made]
    assert refs[:2] == ["SCMR-2501-0201", "SCMR-2501-0202"]
    assert refs[2].startswith("SCMR-2501-P") and refs[3].endswith("-2") and refs[2].endswith("-1")
    with acting(store, clock=clock) as ctx:
        found = get_inquiry(ctx, refs[2])
        assert found.inquiry_ref is None and found.provisional_ref == refs[2]


def test_a_provisional_reference_the_store_already_holds_is_never_issued_again(store, clock):
    """A store restored by hand counts from its backup while it holds later ones (pulled back)."""
    from saypro_desktop.models import DeviceState

    with acting(store, clock=clock) as ctx:
        ctx.session.add(Setting(key=ENROLLED_KEY, value=True))
        ctx.session.flush()
        first = create_inquiry(ctx, draft()).display_id
        second = create_inquiry(ctx, draft()).display_id
        ctx.session.get(DeviceState, 1).provisional_counter = 0  # as in the backup
        third = create_inquiry(ctx, draft()).display_id
    assert first.endswith("-1") and second.endswith("-2") and third.endswith("-3")
