"""Local sign-in: the verifier is brought to the current cost at a successful sign-in."""

from __future__ import annotations

from saypro_desktop.core.passwords import cost_of, current_n, hash_password
from saypro_desktop.models import LocalCredential
from saypro_desktop.services.staff import create_staff_user, sign_in


def test_a_local_sign_in_rehashes_a_verifier_made_at_a_lower_cost(ctx, store):
    user = create_staff_user(ctx, "thandi", "Thandi", "Support Agent", password="correct-horse-1")
    cheap = hash_password("correct-horse-1", n=2**4)
    cred = ctx.session.get(LocalCredential, user.id)
    cred.password_hash, set_at = cheap, cred.updated_at
    ctx.session.commit()
    with store.session() as s:
        assert sign_in(s, "thandi", "wrong-horse-1") is None
    with store.session() as s:
        assert s.get(LocalCredential, user.id).password_hash == cheap, "a wrong password changes nothing"
        assert sign_in(s, "thandi", "correct-horse-1") is not None
    with store.session() as s:
        cred = s.get(LocalCredential, user.id)
        assert cost_of(cred.password_hash) == (current_n(), 8, 1)
        assert cred.updated_at == set_at, "the password itself did not change"
        assert sign_in(s, "thandi", "correct-horse-1") is not None
