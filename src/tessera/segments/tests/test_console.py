"""The segment pages: building with a live count, saving, the list, one segment's members, refresh, export."""

from __future__ import annotations

import csv
import io

import pytest

from tessera.access.models import StaffUser
from tessera.audit.models import AuditRecord
from tessera.console.tests.helpers import console
from tessera.kit.clock import now
from tessera.segments.models import Segment, SegmentMember
from tessera.segments.services import SegmentInput, segment_create, segment_refresh
from tessera.segments.tests.factories import hq, person
from tessera.testing import world_build

pytestmark = pytest.mark.django_db
KIDS = {"c.r-0.field": "category.purchase_count", "c.r-0.category": "kids", "c.r-0.op": "gte", "c.r-0.value": "3"}


@pytest.fixture
def world():
    return world_build(stores=2)


def staff(world, role: str, username: str | None = None) -> StaffUser:
    user = StaffUser.objects.create_user(username=username or role, password="x" * 12, role=role,
                                         merchant=world.merchant)  # fmt: skip
    if role in ("store_manager", "cashier"):
        user.stores.set([world.a.store])
    return user


def kids(world, times: int):
    return person(world, categories={"kids": {"purchase_count": times}})


def saved(world, definition=None):
    definition = definition or {"all": [{"field": "category.purchase_count", "category": "kids", "op": "gte",
                                         "value": 3}]}  # fmt: skip
    return segment_create(program=world.program, data=SegmentInput(name="Kids fans", definition=definition),
                          actor=hq(world), now=now())  # fmt: skip


class TestBuilder:
    def test_the_live_count_follows_the_conditions_and_names_a_bad_one(self, world):
        kids(world, 3), kids(world, 5), kids(world, 1)
        client = console(staff(world, "hq_admin"), world.a.store)
        assert client.get("/segments/new/").status_code == 200
        counted = client.post("/segments/count/", {"g.r": "all", **KIDS}).content.decode()
        assert '<span class="segment-count">2</span>' in counted
        everyone = client.post("/segments/count/", {"g.r": "all"}).content.decode()
        assert '<span class="segment-count">3</span>' in everyone
        bad = client.post("/segments/count/", {"g.r": "all", **KIDS, "c.r-0.value": "three"}).content.decode()
        assert "condition 1 of the definition (Purchases in a category)" in bad

    def test_money_is_typed_in_major_units(self, world):
        big, small = person(world, spend_minor=150_000), person(world, spend_minor=99_999)
        client = console(staff(world, "hq_admin"), world.a.store)
        data = {"g.r": "all", "c.r-0.field": "net_spend_minor", "c.r-0.op": "gte", "c.r-0.value": "1000.00"}
        assert '<span class="segment-count">1</span>' in client.post("/segments/count/", data).content.decode()
        assert big.id != small.id

    def test_rows_add_groups_and_conditions_and_remove_them(self, world):
        client = console(staff(world, "hq_admin"), world.a.store)
        added = client.post("/segments/rows/", {"g.r": "all", **KIDS, "action": "add-group:r"}).content.decode()
        assert 'name="g.r-1"' in added
        assert 'name="c.r-1-0.field"' in added
        assert 'hx-swap-oob="innerHTML"' in added  # the count comes along
        removed = client.post("/segments/rows/", {"g.r": "all", **KIDS, "action": "remove:r-0"}).content.decode()
        assert 'name="c.r-0.field"' not in removed

    def test_a_new_field_gets_its_own_operators_and_choices(self, world):
        client = console(staff(world, "hq_admin"), world.a.store)
        page = client.post("/segments/rows/", {"g.r": "all", "c.r-0.field": "gender", "c.r-0.op": "gte"})
        html = page.content.decode()
        assert 'value="in" selected' in html
        assert 'name="c.r-0.values"' in html
        assert 'value="female"' in html

    def test_saves_a_smart_tag_and_refuses_an_unlabelled_one(self, world):
        client = console(staff(world, "hq_admin"), world.a.store)
        data = {"name": "Kids fans", "tag_colour": "green", "g.r": "all", **KIDS}
        refused = client.post("/segments/new/", {**data, "is_smart_tag": "on"})
        assert refused.status_code == 400
        assert not Segment.objects.exists()
        response = client.post("/segments/new/", {**data, "is_smart_tag": "on", "tag_label": "Kids 3+"})
        segment = Segment.objects.get()
        assert response["Location"] == f"/segments/{segment.public_id}/"
        assert segment.is_smart_tag
        assert segment.definition == {"all": [{"field": "category.purchase_count", "category": "kids", "op": "gte",
                                               "value": 3}]}  # fmt: skip

    def test_edit_shows_the_saved_tree_and_saves_changes(self, world):
        segment = saved(world)
        client = console(staff(world, "hq_admin"), world.a.store)
        page = client.get(f"/segments/{segment.public_id}/edit/").content.decode()
        assert 'value="kids"' in page
        client.post(f"/segments/{segment.public_id}/edit/", {"name": "Kids fans", "tag_colour": "grey", "g.r": "any",
                                                             **KIDS, "c.r-0.value": "4"})  # fmt: skip
        segment.refresh_from_db()
        assert segment.definition["any"][0]["value"] == 4


class TestSegmentPages:
    def test_the_list_and_the_page_show_counts_and_masked_members(self, world):
        fan = kids(world, 3)
        segment = saved(world)
        segment_refresh(segment=segment, now=now())
        client = console(staff(world, "hq_admin"), world.a.store)
        listing = client.get("/segments/").content.decode()
        assert segment.name in listing
        page = client.get(f"/segments/{segment.public_id}/").content.decode()
        assert fan.name in page
        assert fan.phone not in page
        assert fan.phone[-4:] in page
        assert "Purchases in a category (kids) is at least 3" in page

    def test_the_members_page_reads_a_fixed_number_of_queries(self, world, django_assert_max_num_queries):
        segment = saved(world, {"all": []})
        for _ in range(12):
            person(world, purchase_count=1)
        segment_refresh(segment=segment, now=now())
        client = console(staff(world, "hq_admin"), world.a.store)
        client.get(f"/segments/{segment.public_id}/")  # warm the session and the caches
        with django_assert_max_num_queries(14):
            page = client.get(f"/segments/{segment.public_id}/").content.decode()
        assert page.count("/members/mbr_") == 12

    def test_refresh_takes_the_members_of_now(self, world):
        segment = saved(world)
        kids(world, 3)
        client = console(staff(world, "hq_admin"), world.b.store)  # headquarters at any store of theirs
        assert client.post(f"/segments/{segment.public_id}/refresh/").status_code == 302
        assert SegmentMember.objects.filter(segment=segment).count() == 1

    def test_export_is_csv_without_full_phones_and_is_audited(self, world):
        fan = kids(world, 3)
        segment = saved(world)
        segment_refresh(segment=segment, now=now())
        response = console(staff(world, "hq_admin"), world.a.store).post(f"/segments/{segment.public_id}/export.csv")
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[1][0] == fan.public_id
        assert fan.phone not in response.content.decode()
        assert AuditRecord.objects.filter(action="segment.export", object_id=segment.public_id).count() == 1

    def test_delete_asks_for_confirmation(self, world):
        segment = saved(world)
        client = console(staff(world, "hq_admin"), world.a.store)
        client.post(f"/segments/{segment.public_id}/delete/")
        assert Segment.objects.exists()
        client.post(f"/segments/{segment.public_id}/delete/", {"confirm": "yes"})
        assert not Segment.objects.exists()

    def test_another_programme_s_segment_is_not_found(self, world):
        other = world_build(stores=1, name="Other")
        theirs = saved(other)
        client = console(staff(world, "hq_admin"), world.a.store)
        assert client.get(f"/segments/{theirs.public_id}/").status_code == 404
        assert client.post(f"/segments/{theirs.public_id}/refresh/").status_code == 404


class TestWhoSeesWhat:
    def test_an_auditor_reads_but_builds_nothing(self, world):
        segment = saved(world)
        client = console(staff(world, "auditor"), world.a.store)
        page = client.get(f"/segments/{segment.public_id}/").content.decode()
        assert "Refresh now" not in page
        assert "Export CSV" not in page
        assert client.get("/segments/new/").status_code == 403
        assert client.post(f"/segments/{segment.public_id}/export.csv").status_code == 403

    def test_a_store_manager_is_sent_to_headquarters(self, world):
        saved(world)
        response = console(staff(world, "store_manager"), world.a.store).get("/segments/")
        assert response.status_code == 302
        assert response["Location"] == "/"
