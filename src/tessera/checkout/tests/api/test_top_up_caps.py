"""Top-ups against a programme's stored-value profile: the cap on the card and the maximum single top-up."""

from __future__ import annotations

from django.utils import translation

from tessera.checkout.tests.api.conftest import snapshot
from tessera.kit.clock import now
from tessera.members.selectors import member_balances
from tessera.wallet.models import StoredValueProfile
from tessera.wallet.rules import PROFILES


def china_profile(world, **overrides):
    limits = PROFILES["cn"]
    fields = {
        "named_balance_max_minor": limits.named_balance_max_minor,
        "anonymous_balance_max_minor": limits.anonymous_balance_max_minor,
        "top_up_max_minor": limits.top_up_max_minor,
        "custody_ratio_bp": limits.custody_ratio_bp,
        **overrides,
    }
    return StoredValueProfile.objects.create(program=world.program, jurisdiction="cn", **fields)


def body(member, amount_minor, pos_number):
    return {"store": "S001", "pos_number": pos_number, "event_at": now().isoformat(), "member": member.public_id,
            "currency": "CNY", "amount_minor": amount_minor}  # fmt: skip


def test_a_named_card_may_be_topped_up_to_exactly_five_thousand_yuan(pos, world, member):
    # The member holds 1,000.00 principal + 100.00 bonus = 1,100.00. Band: top up >= 1,000.00 -> +100.00 bonus.
    # 3,800.00 + 100.00 bonus takes the card to 5,000.00, China's named-card cap.
    china_profile(world)
    response = pos.post("/top-ups", body(member, 380000, "T-1"))
    assert response.status_code == 201, response.json()
    balances = member_balances(member=member)
    assert (balances.sv_principal_minor, balances.sv_bonus_minor) == (480000, 20000)


def test_refuses_a_top_up_whose_bonus_would_cross_the_cap_and_changes_nothing(pos, world, member):
    # 3,900.00 + 100.00 bonus would make 5,100.00: refused whole, the bonus is not cut to fit.
    china_profile(world)
    before = snapshot()
    with translation.override("en"):
        response = pos.post("/top-ups", body(member, 390000, "T-1"))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "top_up_above_balance_cap"
    assert "5,000.00" in error["message"]
    assert snapshot() == before


def test_refuses_a_top_up_above_the_single_maximum_in_every_language(pos, world, member):
    china_profile(world, top_up_max_minor=200000)
    before = snapshot()
    messages = set()
    for language in ["en", "zh-hans", "zh-hant", "ko"]:
        response = pos.post("/top-ups", body(member, 200001, f"T-{language}"), HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "top_up_above_single_maximum"
        messages.add(response.json()["error"]["message"])
    assert len(messages) == 4
    assert snapshot() == before


def test_a_programme_without_a_profile_has_no_cap(pos, member):
    response = pos.post("/top-ups", body(member, 1_000_000, "T-1"))
    assert response.status_code == 201
