"""An alliance card at a partner's till: the stored value it may take there, and the member's consent to share
purchase history with the partners, recorded by the card's own merchant only (issue 5)."""

from __future__ import annotations

import pytest
from django.test import Client

from tessera.access.models import StaffUser
from tessera.audit.models import AuditRecord
from tessera.console.tests.helpers import PASSWORD, console
from tessera.members.models import Member
from tessera.members.selectors import member_balances
from tessera.programs.services import alliance_create
from tessera.settlement.tests.test_alliance_month import partner
from tessera.testing import member_new, sell, top_up, world_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def alliance():
    silk = world_build(stores=2, name="Silk")
    bean, bean1 = partner("Bean", "BEAN1")
    fuel, fuel1 = partner("Fuel", "FUEL1")
    alliance_create(program=silk.program, name="City card", partners=[bean, fuel], commission_bp=1_000)
    return silk, bean, bean1, fuel, fuel1


def lookup_sv(shop, member):
    api = Client(HTTP_AUTHORIZATION=f"Bearer {shop.key}")
    found = api.get("/api/v1/members/lookup", {"q": member.card_number})
    detail = api.get(f"/api/v1/members/{member.public_id}")
    assert found.status_code == detail.status_code == 200, (found.content, detail.content)
    [match] = found.json()["members"]
    assert match["balances"] == detail.json()["balances"]
    return match["balances"]["stored_value"]


def test_a_partners_till_sees_only_the_stored_value_it_may_take(alliance):
    silk, _bean, bean1, _fuel, fuel1 = alliance
    member = member_new(silk)
    top_up(silk.a, member, 10_000)
    top_up(bean1, member, 3_000)
    sell(silk.b, member, [(1, 2_000)], sv=2_000)  # spends Silk's lots first: the oldest
    at_silk, at_bean, at_fuel = lookup_sv(silk.a, member), lookup_sv(bean1, member), lookup_sv(fuel1, member)
    assert at_silk["total_minor"] == at_bean["total_minor"] == at_fuel["total_minor"] == 11_000
    assert (at_silk["usable_here_minor"], at_bean["usable_here_minor"], at_fuel["usable_here_minor"]) == (
        8_000,
        3_000,
        0,
    )


def test_a_licensed_alliance_and_a_chain_can_spend_everything_everywhere(db):
    silk = world_build(stores=2, name="Silk")
    fuel, fuel1 = partner("Fuel", "FUEL1")
    alliance_create(program=silk.program, name="City card", partners=[fuel], stored_value_shared=True,
                    licence_holder="Silk Pay Ltd")  # fmt: skip
    member = member_new(silk)
    top_up(silk.a, member, 5_000)
    assert lookup_sv(fuel1, member)["usable_here_minor"] == 5_000
    chain = world_build(stores=2, name="Chain")
    other = member_new(chain)
    top_up(chain.a, other, 4_000)
    assert lookup_sv(chain.b, other) == {
        "currency": "CNY", "principal_minor": 4_000, "bonus_minor": 0, "total_minor": 4_000, "usable_here_minor": 4_000
    }  # fmt: skip
    assert "usable_here_minor" not in member_balances(member=other).as_dict()["stored_value"]


def staff(username, role, merchant, stores):
    user = StaffUser.objects.create_user(username=username, password=PASSWORD, role=role, merchant=merchant)
    user.stores.set(stores)
    return user


def test_the_partners_console_shows_what_is_usable_there(alliance):
    silk, bean, bean1, *_ = alliance
    member = member_new(silk)
    top_up(silk.a, member, 10_000)
    cashier = console(staff("bean.cashier", "cashier", bean, [bean1.store]), bean1.store, "en")
    page = cashier.get(f"/members/{member.public_id}/").content.decode()
    assert "Usable here" in page
    sale = cashier.get("/checkout/sale/", {"member": member.public_id}).content.decode()
    assert "Usable here" in sale
    assert "payment licence" in sale
    at_home = console(staff("silk.cashier", "cashier", silk.merchant, [silk.a.store]), silk.a.store, "en")
    assert "Usable here" not in at_home.get(f"/members/{member.public_id}/").content.decode()


def test_only_the_cards_merchant_records_consent_to_share_history(alliance):
    silk, bean, bean1, *_ = alliance
    member = member_new(silk)
    url = f"/members/{member.public_id}/history-sharing/"
    partner_cs = console(staff("bean.cs", "customer_service", bean, []), bean1.store, "en")
    assert "Member consents to share" not in partner_cs.get(f"/members/{member.public_id}/").content.decode()
    partner_cs.post(url, {"share": "on"})
    member.refresh_from_db()
    assert member.partners_may_see_history_since is None
    assert not AuditRecord.objects.filter(action="member.history_sharing").exists()

    owner_cs = console(staff("silk.cs", "customer_service", silk.merchant, []), silk.a.store, "en")
    assert "Member consents to share" in owner_cs.get(f"/members/{member.public_id}/").content.decode()
    response = owner_cs.post(url, {"share": "on"}, follow=True)
    assert "Consent recorded" in response.content.decode()
    member.refresh_from_db()
    given = member.partners_may_see_history_since
    assert given is not None
    owner_cs.post(url, {"share": "on"})  # a second click keeps when consent was first given
    member.refresh_from_db()
    assert member.partners_may_see_history_since == given
    owner_cs.post(url, {"share": "off"})
    member.refresh_from_db()
    assert member.partners_may_see_history_since is None
    shares = AuditRecord.objects.filter(action="member.history_sharing", object_id=member.public_id)
    assert [r.details["share"] for r in shares.order_by("id")] == [True, False]


def test_consent_to_share_is_refused_on_a_card_with_no_alliance(db):
    chain = world_build(stores=1, name="Chain")
    member = member_new(chain)
    owner_cs = console(staff("chain.cs", "customer_service", chain.merchant, []), chain.a.store, "en")
    assert "Member consents to share" not in owner_cs.get(f"/members/{member.public_id}/").content.decode()
    response = owner_cs.post(f"/members/{member.public_id}/history-sharing/", {"share": "on"}, follow=True)
    assert "Only an alliance card" in response.content.decode()
    assert Member.objects.get(id=member.id).partners_may_see_history_since is None
