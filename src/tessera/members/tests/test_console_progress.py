"""The member page's progress panel: tier, next tier with what it needs and by when, what the next reset takes,
this month's gift ladder and open gifts, and points expiring soon, in the staff member's language.

The figures are those of the worked example in ``tessera/api/tests/test_progress.py``: 9,000 points this card
year (red needs 1,000 more, counted until 2027-03-14), 1,800 gift-ladder points in May (200 short of the
100 yuan coupon), and 7,000 points lapsing at 2026-05-12 00:00 Shanghai time.
"""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.template.loader import render_to_string
from django.utils import translation

from tessera.api.tests.test_progress import example_member, example_world, shanghai
from tessera.console.progress import member_progress_panel
from tessera.console.tests.helpers import Org, console, make_staff
from tessera.members.models import Member
from tessera.testing import member_new, world_build

pytestmark = pytest.mark.django_db
AT = "2026-05-05T12:00:00"


@pytest.fixture
def world():
    return example_world()


@pytest.fixture
def member(world):
    return example_member(world)


def progress_context(member: Member, language: str) -> dict[str, Any]:
    return member_progress_panel(member=member, now=shanghai(AT), language=language)


def panel(member: Member, language: str = "en") -> str:
    with translation.override(language):
        return " ".join(
            render_to_string("members/_progress_panel.html", {"progress": progress_context(member, language)}).split()
        )


def test_shows_tier_next_tier_deadline_and_what_the_reset_takes(member):
    html = panel(member)
    assert "<dt>Current tier</dt><dd>Card member</dd>" in html
    assert "<dt>Points earned in the window</dt><dd>9,000</dd>" in html
    assert "<dt>Next tier</dt><dd>Red diamond</dd> <dt>Still needed</dt><dd>1,000</dd>" in html
    assert "<dt>Counts until</dt><dd>2027-03-14</dd>" in html
    assert "<dt>Lost at the next reset</dt><dd>9,000</dd> <dt>Next reset</dt><dd>2027-03-15</dd>" in html
    assert "<dt>Tier after the reset</dt><dd>Card member</dd>" in html


def test_shows_this_months_gift_ladder_and_the_gift_to_claim(member):
    html = panel(member)
    assert "<dt>Points this month</dt><dd>1,800</dd>" in html
    assert "<dt>Gifts reached</dt><dd>50 yuan clothing coupon</dd>" in html
    assert "<dt>Next gift</dt><dd>100 yuan clothing coupon</dd> <dt>Points still needed</dt><dd>200</dd>" in html
    assert "<dt>50 yuan clothing coupon</dt><dd>Claim before 2026-07-01 00:00</dd>" in html


def test_shows_points_expiring_soon_in_programme_time(member):
    html = panel(member)
    assert "<dt>Lapsing in the next 30 days</dt><dd>7,000</dd>" in html
    assert '<td>2026-05-12 00:00</td><td class="num">7,000</td>' in html


def test_tier_and_gift_names_follow_the_staff_members_language(member):
    html = panel(member, "zh-hans")
    assert "会员卡会员" in html
    assert "红钻会员" in html
    assert "100元服装现金券" in html


def test_a_programme_without_tiers_gifts_or_expiry_says_so():
    world = world_build()
    html = panel(member_new(world))
    assert "This programme has no tiers." in html
    assert "No gift ladder runs this month." in html
    assert "No points lapse in the next 30 days." in html


def test_the_member_page_loads_the_panel_for_staff_of_the_serving_merchant(world, member):
    org = Org(world.merchant, world.a.store, world.b.store, world.program, world.merchant, world.a.store)
    cashier = make_staff(org, "cashier.p", "cashier", [world.a.store])
    client = console(cashier, world.a.store)
    page = client.get(f"/members/{member.public_id}/").content.decode()
    fragment = f"/members/{member.public_id}/progress/"
    assert f'hx-get="{fragment}"' in page
    with time_machine.travel(shanghai(AT), tick=False):
        html = " ".join(client.get(fragment).content.decode().split())
    assert "<dt>Next tier</dt><dd>Red diamond</dd> <dt>Still needed</dt><dd>1,000</dd>" in html
    rival = world_build(name="Rival")
    rival_org = Org(rival.merchant, rival.a.store, rival.b.store, rival.program, rival.merchant, rival.a.store)
    stranger = make_staff(rival_org, "cashier.r", "cashier", [rival.a.store])
    assert console(stranger, rival.a.store).get(fragment).status_code == 404
