"""The Django admin of an alliance's card: the card's owner configures the programme and reads its books; a
partner's operations centre sets only its own benefits and never sees the card's configuration, its members or
other merchants' postings; the operator keeps the agreement (issue 5)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from tessera.access.models import StaffUser
from tessera.ledger.models import Posting
from tessera.programs.models import ProgramMerchant
from tessera.programs.services import alliance_create
from tessera.settlement.tests.test_alliance_month import partner
from tessera.stores.models import Alliance
from tessera.testing import member_new, sell, world_build

pytestmark = pytest.mark.django_db
MODELS = ["program", "programmerchant", "alliance", "posting", "member", "earningrule", "tierladder"]


def hq_admin(username, merchant):
    user = StaffUser.objects.create_user(username=username, password="x" * 20, role="hq_admin", merchant=merchant,
                                         is_staff=True)  # fmt: skip
    user.user_permissions.set(Permission.objects.filter(codename__regex=rf"^(view|change)_({'|'.join(MODELS)})$"))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def card():
    silk = world_build(stores=1, name="Silk")
    bean, bean1 = partner("Bean", "BEAN1")
    alliance = alliance_create(program=silk.program, name="City card", partners=[bean], commission_bp=1_000)
    member = member_new(silk)
    sell(silk.a, member, [(1, 30_000)], pos_number="SILK-SALE")
    sell(bean1, member, [(1, 2_000)], pos_number="BEAN-SALE")
    return silk, bean, alliance


def changelist(client, app, model):
    response = client.get(reverse(f"admin:{app}_{model}_changelist"))
    return response.status_code, response.content.decode()


def test_a_partner_sees_none_of_the_cards_configuration_members_or_books(card):
    silk, bean, _alliance = card
    partner_hq = hq_admin("bean.hq", bean)
    posting = Posting.objects.filter(store=silk.a.store).latest("id")
    member = silk.program.members.get()
    secrets = {("programs", "program"): silk.program.public_id, ("members", "member"): member.public_id,
               ("ledger", "posting"): posting.public_id}  # fmt: skip
    for (app, model), secret in secrets.items():
        status, page = changelist(partner_hq, app, model)
        assert status == 200
        assert secret not in page, (app, model)
    assert partner_hq.get(reverse("admin:programs_program_change", args=[silk.program.pk])).status_code == 302
    assert partner_hq.get(reverse("admin:ledger_posting_change", args=[posting.pk])).status_code == 302
    owner_hq = hq_admin("silk.hq", silk.merchant)
    assert owner_hq.get(reverse("admin:programs_program_change", args=[silk.program.pk])).status_code == 200
    assert Posting.objects.filter(program=silk.program).count() > 0
    status, page = changelist(owner_hq, "ledger", "posting")
    assert status == 200
    assert posting.public_id in page


def test_a_partner_sets_its_own_benefits_and_only_its_own(card):
    silk, bean, _alliance = card
    own = ProgramMerchant.objects.get(program=silk.program, merchant=bean)
    owners = ProgramMerchant.objects.get(program=silk.program, merchant=silk.merchant)
    partner_hq = hq_admin("bean.hq", bean)
    url = reverse("admin:programs_programmerchant_change", args=[own.pk])
    response = partner_hq.post(url, {"discount_bp": "500", "earn_points": "2", "earn_per_minor": "100"})
    assert response.status_code == 302, response.content.decode()
    own.refresh_from_db()
    assert (own.discount_bp, own.earn_points, own.earn_per_minor) == (500, 2, 100)
    foreign = reverse("admin:programs_programmerchant_change", args=[owners.pk])
    assert partner_hq.post(foreign, {"discount_bp": "9000"}).status_code == 302  # to the admin index: not found
    owners.refresh_from_db()
    assert owners.discount_bp is None
    refused = partner_hq.post(url, {"discount_bp": "10001", "earn_points": "", "earn_per_minor": ""})
    assert refused.status_code == 200
    own.refresh_from_db()
    assert own.discount_bp == 500


def test_the_operator_keeps_the_agreement_and_sharing_needs_a_licence_holder(card):
    silk, bean, alliance = card
    url = reverse("admin:stores_alliance_change", args=[alliance.pk])
    assert hq_admin("bean.hq", bean).post(url, {"name": "Mine", "commission_bp": "0"}).status_code == 302
    operator = hq_admin("silk.hq", silk.merchant)
    form = {"name": "City card", "commission_bp": "800", "points_shared": "on", "stored_value_shared": "on",
            "licence_holder": ""}  # fmt: skip
    refused = operator.post(url, form)
    assert refused.status_code == 200
    assert "payment licence" in refused.content.decode()
    alliance.refresh_from_db()
    assert (alliance.name, alliance.commission_bp, alliance.stored_value_shared) == ("City card", 1_000, False)
    assert operator.post(url, form | {"licence_holder": "Silk Pay Ltd"}).status_code == 302
    alliance.refresh_from_db()
    assert (alliance.commission_bp, alliance.stored_value_shared, alliance.licence_holder) == (
        800,
        True,
        "Silk Pay Ltd",
    )
    assert Alliance.objects.count() == 1
