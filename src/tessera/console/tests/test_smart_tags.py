"""Smart tags on the member page: the saved segments shown as tags whose latest refresh holds the member."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from tessera.console.tests.helpers import console
from tessera.kit.clock import now
from tessera.segments.services import SegmentInput, segment_create, segment_refresh
from tessera.stores.selectors import headquarters_actor

pytestmark = pytest.mark.django_db
BIRTHDAY_MONTH = {"all": [{"field": "birthday", "op": "this_month"}]}


def test_the_member_page_loads_the_smart_tags_that_hold_the_member(org, member, cashier_a):
    with time_machine.travel("2026-12-04 10:00:00+08:00", tick=False):
        member.birthday = date(1990, 12, 20)
        member.save(update_fields=["birthday"])
        actor = headquarters_actor(merchant_id=org.merchant.id, system="tests")
        data = SegmentInput(name="December birthdays", definition=BIRTHDAY_MONTH, is_smart_tag=True,
                            tag_label="Birthday this month", tag_colour="amber")  # fmt: skip
        segment = segment_create(program=org.program, data=data, actor=actor, now=now())
        client = console(cashier_a, org.a)
        page = client.get(f"/members/{member.public_id}/").content.decode()
        fragment = f"/members/{member.public_id}/smart-tags/"
        assert fragment in page
        before = client.get(fragment).content.decode()
        segment_refresh(segment=segment, now=now())
        after = client.get(fragment).content.decode()
        member.birthday = date(1990, 7, 1)
        member.save(update_fields=["birthday"])
        segment_refresh(segment=segment, now=now())
        gone = client.get(fragment).content.decode()
    assert "Birthday this month" not in before  # saved, but not refreshed yet: no snapshot holds anyone
    assert "Birthday this month" in after
    assert "segment-tag-amber" in after
    assert "Birthday this month" not in gone
