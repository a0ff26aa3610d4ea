from saypro_desktop.core.vocab import ActionKind
from saypro_desktop.services.context import acting
from saypro_desktop.services.inquiries import add_action_step, change_status, create_inquiry, update_inquiry
from saypro_desktop.services.search import rebuild_index, search_inquiries
from tests.conftest import draft


def _refs(store, text):
    with store.session() as s:
        return [i.display_id for i in search_inquiries(s, text)]


def test_search_by_words_id_name_email_steps_and_resolution(store, clock):
    with acting(store, clock=clock) as ctx:
        a = create_inquiry(ctx, draft(subject="Charged twice for premium listing", category="Payment/Billing",
                                      user_full_name="Mariëtte du Plessis", user_email="mariette@example.org"))
        b = create_inquiry(ctx, draft(subject="Renew expired ad", category="Ad Removal or Expiry",
                                      user_full_name="Sipho Ndlovu", user_email="sipho@example.org"))
        add_action_step(ctx, b, "Walked the user through the renewal wizard", ActionKind.USER_CONTACT)
        change_status(ctx, a, "Resolved", resolution="Duplicate charge refunded to the card", handled_by=ctx.actor)
    assert _refs(store, "charged twice") == ["SCMR-2501-0001"]
    assert _refs(store, "SCMR-2501-0002") == ["SCMR-2501-0002"]
    assert _refs(store, "mariette") == ["SCMR-2501-0001"]  # accents folded
    assert _refs(store, "Mariëtte") == ["SCMR-2501-0001"]
    assert _refs(store, "sipho@example.org") == ["SCMR-2501-0002"]
    assert _refs(store, "wizard") == ["SCMR-2501-0002"]
    assert _refs(store, "refunded") == ["SCMR-2501-0001"]
    assert _refs(store, "renew") == ["SCMR-2501-0002"]  # prefix while typing
    assert _refs(store, "nothing-like-this") == []
    assert _refs(store, '"; DROP TABLE inquiry; --') == []


def test_edits_reach_the_index_and_rebuild_gives_the_same(store, clock):
    with acting(store, clock=clock) as ctx:
        i = create_inquiry(ctx, draft(subject="Images do not upload"))
    with acting(store, clock=clock) as ctx:
        update_inquiry(ctx, ctx.session.merge(i), subject="Photos rejected as too large")
    assert _refs(store, "images") == []
    assert _refs(store, "photos") == ["SCMR-2501-0001"]
    with store.session() as s:
        rebuild_index(s)
    assert _refs(store, "photos") == ["SCMR-2501-0001"]
