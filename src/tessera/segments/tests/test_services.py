"""Saving, refreshing, deleting and exporting segments; smart tags on members; the nightly refresh."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tessera.audit.models import AuditRecord
from tessera.kit.clock import now
from tessera.messaging.jobs import job_get
from tessera.segments.errors import DefinitionInvalid, SegmentInvalid, SegmentNameTaken
from tessera.segments.exports import COLUMNS
from tessera.segments.models import Segment, SegmentMember, SegmentRefresh
from tessera.segments.selectors import definition_count, member_smart_tags, segment_members
from tessera.segments.services import (
    SegmentInput,
    segment_create,
    segment_delete,
    segment_export,
    segment_refresh,
    segment_update,
)
from tessera.segments.tests.factories import hq, person
from tessera.testing import world_build

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
KIDS_3 = {"all": [{"field": "category.purchase_count", "category": "kids", "op": "gte", "value": 3}]}
BIRTHDAY_MONTH = {"all": [{"field": "birthday", "op": "this_month"}]}


@pytest.fixture
def world():
    return world_build(stores=1)


def save(world, name="Kids' wear fans", definition=KIDS_3, **kw):
    return segment_create(program=world.program, data=SegmentInput(name=name, definition=definition, **kw),
                          actor=hq(world), now=now())  # fmt: skip


def kids(world, times):
    return person(world, categories={"kids": {"purchase_count": times, "quantity": times, "spend_minor": 100}})


class TestSave:
    def test_stores_the_checked_definition_and_audits_it(self, world):
        segment = save(world, description="  for the spring range ")
        assert segment.public_id.startswith("seg_")
        assert segment.description == "for the spring range"
        assert segment.definition == KIDS_3
        assert segment.refreshed_at is None
        assert segment.member_count is None
        assert AuditRecord.objects.filter(action="segment.create", object_id=segment.public_id).count() == 1

    def test_refuses_a_bad_definition_and_writes_nothing(self, world):
        with pytest.raises(DefinitionInvalid):
            save(world, definition={"all": [{"field": "tier", "op": "in", "value": ["gold"]}]})  # no ladder here
        assert not Segment.objects.exists()
        assert not AuditRecord.objects.filter(action="segment.create").exists()

    def test_refuses_a_taken_name_a_missing_name_and_an_unlabelled_smart_tag(self, world):
        save(world)
        with pytest.raises(SegmentNameTaken):
            save(world)
        with pytest.raises(SegmentInvalid):
            save(world, name="  ")
        with pytest.raises(SegmentInvalid):
            save(world, name="Tagged", is_smart_tag=True, tag_label=" ")
        with pytest.raises(SegmentInvalid):
            save(world, name="Coloured", tag_colour="pink")
        assert Segment.objects.count() == 1

    def test_the_same_name_is_free_in_another_programme(self, world):
        save(world)
        save(world_build(stores=1, name="Other"))
        assert Segment.objects.count() == 2

    def test_an_update_changes_the_definition_but_not_the_snapshot(self, world):
        three, one = kids(world, 3), kids(world, 1)
        segment = save(world)
        segment_refresh(segment=segment, now=now())
        easier = {"all": [{**KIDS_3["all"][0], "value": 1}]}
        segment_update(segment=segment, data=SegmentInput(name="Kids", definition=easier), actor=hq(world), now=now())
        assert list(segment_members(segment=segment)) == [three]
        segment_refresh(segment=segment, now=now())
        assert set(segment_members(segment=segment)) == {three, one}
        assert AuditRecord.objects.filter(action="segment.update").count() == 1


class TestRefresh:
    def test_replaces_the_snapshot_and_keeps_the_count_history(self, world):
        first = kids(world, 3)
        segment = save(world)
        earlier = now() - timedelta(days=1)
        segment_refresh(segment=segment, now=earlier)
        second = kids(world, 4)
        assert list(segment_members(segment=segment)) == [first]  # stable until the next refresh
        refresh = segment_refresh(segment=segment, now=now())
        assert refresh.member_count == 2
        assert set(segment_members(segment=segment)) == {first, second}
        segment.refresh_from_db()
        assert segment.member_count == 2
        assert segment.refreshed_at == refresh.refreshed_at
        assert list(SegmentRefresh.objects.filter(segment=segment).values_list("member_count", flat=True)) == [2, 1]

    def test_leaves_the_old_snapshot_when_the_definition_no_longer_counts(self, world):
        kids(world, 3)
        segment = save(world)
        segment_refresh(segment=segment, now=now())
        Segment.objects.filter(id=segment.id).update(definition={"all": [{"field": "tags", "op": "has_any",
                                                                          "value": ["deleted"]}]})  # fmt: skip
        with pytest.raises(DefinitionInvalid):
            segment_refresh(segment=segment, now=now())
        assert SegmentMember.objects.filter(segment=segment).count() == 1
        assert SegmentRefresh.objects.filter(segment=segment).count() == 1

    def test_another_programme_s_members_never_enter(self, world):
        kids(world, 3)
        kids(world_build(stores=1, name="Other"), 5)
        segment = save(world)
        assert segment_refresh(segment=segment, now=now()).member_count == 1
        assert definition_count(program=world.program, definition={"all": []}, now=now()) == 1

    def test_deleting_removes_snapshot_and_history_and_is_audited(self, world):
        kids(world, 3)
        segment = save(world)
        segment_refresh(segment=segment, now=now())
        segment_delete(segment=segment, actor=hq(world), now=now())
        assert not SegmentMember.objects.exists()
        assert not SegmentRefresh.objects.exists()
        assert AuditRecord.objects.get(action="segment.delete").details == {"name": "Kids' wear fans"}


class TestSmartTags:
    """The two worked examples of the issue: "bought kids' wear 3+ times" and "birthday this month"."""

    def test_bought_kids_wear_three_times_or_more(self, world):
        fan, twice, never = kids(world, 3), kids(world, 2), person(world)
        tag = save(world, is_smart_tag=True, tag_label="Kids' wear 3+", tag_colour="green")
        segment_refresh(segment=tag, now=now())
        assert [(t.label, t.colour) for t in member_smart_tags(fan)] == [("Kids' wear 3+", "green")]
        assert member_smart_tags(twice) == []
        assert member_smart_tags(never) == []

    def test_birthday_this_month_in_the_programme_s_time_zone(self, world):
        # 1 April 00:30 in Shanghai is still 31 March in UTC: the programme's calendar decides.
        moment = datetime.combine(date(2026, 4, 1), time(0, 30), tzinfo=SH)
        april, march = person(world, birthday=date(1990, 4, 20)), person(world, birthday=date(1990, 3, 31))
        with time_machine.travel(moment, tick=False):
            tag = save(world, name="Birthday", definition=BIRTHDAY_MONTH, is_smart_tag=True, tag_label="Birthday")
            segment_refresh(segment=tag, now=now())
        assert [t.label for t in member_smart_tags(april)] == ["Birthday"]
        assert member_smart_tags(march) == []

    def test_a_plain_segment_is_no_tag_and_tags_come_in_label_order(self, world):
        fan = person(
            world, birthday=date(1990, now().astimezone(SH).month, 1), categories={"kids": {"purchase_count": 5}}
        )
        for name, label, definition in (("b", "Zebra", KIDS_3), ("a", "Apple", BIRTHDAY_MONTH), ("c", "", KIDS_3)):
            segment = save(world, name=name, definition=definition, is_smart_tag=bool(label), tag_label=label)
            segment_refresh(segment=segment, now=now())
        assert [t.label for t in member_smart_tags(fan)] == ["Apple", "Zebra"]


class TestExport:
    def test_writes_the_documented_columns_without_contact_data_and_audits_it(self, world):
        fan = kids(world, 3)
        segment = save(world)
        segment_refresh(segment=segment, now=now())
        body, rows = segment_export(segment=segment, actor=hq(world), now=now())
        table = list(csv.reader(io.StringIO(body)))
        assert rows == 1
        assert tuple(table[0]) == COLUMNS
        line = dict(zip(COLUMNS, table[1], strict=True))
        assert line["member_id"] == fan.public_id
        assert line["phone_masked"].count("*") == 4
        assert fan.phone not in body
        assert AuditRecord.objects.get(action="segment.export").details["members"] == 1

    def test_defuses_spreadsheet_formulas_in_names(self, world):
        fan = kids(world, 3)
        type(fan).objects.filter(id=fan.id).update(name='=HYPERLINK("http://x")')
        segment = save(world)
        segment_refresh(segment=segment, now=now())
        body, _rows = segment_export(segment=segment, actor=hq(world), now=now())
        assert "'=HYPERLINK" in body


class TestNightly:
    def test_refreshes_every_saved_segment_and_reports_those_it_cannot(self, world):
        kids(world, 3)
        good = save(world)
        bad = save(world, name="Broken")
        Segment.objects.filter(id=bad.id).update(definition={"all": [{"field": "nope", "op": "eq", "value": 1}]})
        job = job_get("segments.refresh")
        assert job is not None
        assert job.at_local_time == time(1, 0)
        summary = job.fn(program_id=world.program.id, local_date=now().date())
        assert summary == {"refreshed": {good.public_id: 1}, "failed": {bad.public_id: "segment_definition_invalid"}}
