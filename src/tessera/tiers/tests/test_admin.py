"""Admin: ladders with their tiers inline and the same validation as the loader; history strictly read-only."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from tessera.access.models import StaffUser
from tessera.blueprints.seeds import diamonds_ladder
from tessera.tiers.models import MemberTier, Tier, TierEvent, TierLadder
from tessera.tiers.tests.factories import at, ladder_of, member_carded, record, world_in

pytestmark = pytest.mark.django_db
SH = "Asia/Shanghai"


@pytest.fixture
def client():
    root = StaffUser.objects.create_superuser(username="root", password="root password 123", email="")
    client = Client()
    client.force_login(root)
    return client


def ladder_form(program, tiers, **fields):
    data = {"program": program.pk, "name": "Monthly", "measure": "spend_in_window", "second_measure": "",
            "combine": "", "window_kind": "calendar_month", "window_months": "", "downgrade": "reevaluate",
            "grace_days": "0", "is_active": "on", "tiers-TOTAL_FORMS": str(len(tiers)),
            "tiers-INITIAL_FORMS": "0"}  # fmt: skip
    for i, (rank, code, threshold, multiplier) in enumerate(tiers):
        data |= {f"tiers-{i}-rank": rank, f"tiers-{i}-code": code, f"tiers-{i}-threshold": threshold,
                 f"tiers-{i}-discount_bp": "500", f"tiers-{i}-excluded_categories": "[]",
                 f"tiers-{i}-multiplier_permille": multiplier, f"tiers-{i}-service_codes": "[]"}  # fmt: skip
    return data | fields


def test_every_tier_model_lists_and_shows_its_rows(client):
    world = world_in(SH, spec=diamonds_ladder())
    record(member_carded(world, at(SH, "2025-01-10")), at(SH, "2025-02-01"), points=12_000)
    for model in (TierLadder, Tier, MemberTier, TierEvent):
        opts = model._meta
        assert client.get(reverse(f"admin:tiers_{opts.model_name}_changelist")).status_code == 200, opts
        row = model.objects.first()
        response = client.get(reverse(f"admin:tiers_{opts.model_name}_change", args=[row.pk]))
        assert response.status_code == 200, opts


@pytest.mark.parametrize("model", [MemberTier, TierEvent])
def test_member_tiers_and_history_are_read_only(client, model):
    request = client.get("/admin/").wsgi_request
    model_admin = admin.site._registry[model]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_adds_a_ladder_with_its_tiers(client):
    world = world_in(SH)
    data = ladder_form(world.program, [("0", "base", "0", "1000"), ("1", "vip", "300000", "1500")])
    response = client.post(reverse("admin:tiers_tierladder_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    ladder = ladder_of(world)
    assert list(ladder.tiers.values_list("code", "threshold", "multiplier_permille")) == [
        ("base", 0, 1000), ("vip", 300_000, 1500),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("tiers", "fields", "message"),
    [
        ([("0", "base", "0", "1000"), ("1", "vip", "0", "1000")], {}, "Tier vip needs 0, not more than base below it"),
        ([("0", "base", "100", "1000")], {}, "The base tier base must need nothing (threshold 0)"),
        ([("0", "base", "0", "1000"), ("1", "vip", "300000", "0")], {}, "the points multiplier must be more than zero"),
        ([("0", "base", "0", "1000"), ("2", "vip", "300000", "1000")], {}, "Ranks must run 0, 1, 2"),
        ([("0", "base", "0", "1000")], {"window_kind": "rolling_months"}, "A rolling window needs its length"),
    ],
)  # fmt: skip
def test_shows_what_is_wrong_and_saves_nothing(client, tiers, fields, message):
    world = world_in(SH)
    response = client.post(reverse("admin:tiers_tierladder_add"), ladder_form(world.program, tiers, **fields))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not TierLadder.objects.exists()


def test_what_counters_mean_is_fixed_once_members_are_on_the_ladder(client):
    world = world_in(SH, spec=diamonds_ladder())
    ladder = ladder_of(world)
    url = reverse("admin:tiers_tierladder_change", args=[ladder.pk])
    assert 'name="window_kind"' in client.get(url).content.decode()
    record(member_carded(world, at(SH, "2025-01-10")), at(SH, "2025-02-01"), points=100)
    assert 'name="window_kind"' not in client.get(url).content.decode()
