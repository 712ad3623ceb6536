"""The segments API for headquarters: count, save, list, read, refresh and export, with staff tokens."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tessera.access.models import StaffUser
from tessera.access.services import staff_token_issue
from tessera.audit.models import AuditRecord
from tessera.kit.clock import now
from tessera.segments.models import Segment
from tessera.segments.tests.factories import person
from tessera.testing import world_build

pytestmark = pytest.mark.django_db
KIDS = {"all": [{"field": "category.purchase_count", "category": "kids", "op": "gte", "value": 3}]}


@pytest.fixture
def world():
    return world_build(stores=1)


def token(world, role="hq_admin") -> str:
    user = StaffUser.objects.create(username=f"api.{role}", role=role, merchant=world.merchant)
    return staff_token_issue(staff=user, now=now()).secret


def call(method: str, path: str, secret: str, body=None):
    headers = {"Authorization": f"Bearer {secret}"}
    if method == "GET":
        return Client().get(path, headers=headers)
    return Client().generic(method, path, json.dumps(body or {}), content_type="application/json", headers=headers)


def test_headquarters_counts_saves_refreshes_reads_and_exports(world):
    fan = person(world, categories={"kids": {"purchase_count": 3}})
    person(world, categories={"kids": {"purchase_count": 1}})
    secret, base = token(world), f"/api/v1/programs/{world.program.public_id}/segments"
    assert call("POST", f"{base}/count", secret, {"definition": KIDS}).json() == {"members": 1}
    created = call("POST", base, secret, {"name": "Kids fans", "definition": KIDS, "is_smart_tag": True,
                                          "tag_label": "Kids 3+", "tag_colour": "green"})  # fmt: skip
    assert created.status_code == 201
    segment_id = created.json()["segment_id"]
    assert created.json()["member_count"] is None
    refreshed = call("POST", f"{base}/{segment_id}/refresh", secret)
    assert refreshed.json()["member_count"] == 1
    detail = call("GET", f"{base}/{segment_id}", secret).json()
    assert detail["member_count"] == 1
    assert [r["member_count"] for r in detail["refreshes"]] == [1]
    assert [s["name"] for s in call("GET", base, secret).json()] == ["Kids fans"]
    export = call("GET", f"{base}/{segment_id}/export", secret)
    assert export["Content-Type"].startswith("text/csv")
    assert fan.public_id in export.content.decode()
    assert AuditRecord.objects.filter(action="segment.export").count() == 1


def test_a_bad_definition_is_a_coded_error_naming_the_condition(world):
    secret = token(world)
    bad = {"all": [{"field": "age", "op": "gte", "value": "thirty"}]}
    answer = call("POST", f"/api/v1/programs/{world.program.public_id}/segments/count", secret, {"definition": bad})
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "segment_definition_invalid"
    assert "condition 1 of the definition (Age)" in error["message"]
    saved = call(
        "POST", f"/api/v1/programs/{world.program.public_id}/segments", secret, {"name": "x", "definition": bad}
    )
    assert saved.status_code == 422
    assert not Segment.objects.exists()


def test_a_taken_name_is_a_conflict(world):
    secret, base = token(world), f"/api/v1/programs/{world.program.public_id}/segments"
    assert call("POST", base, secret, {"name": "Kids", "definition": KIDS}).status_code == 201
    answer = call("POST", base, secret, {"name": "Kids", "definition": KIDS})
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "segment_name_taken"


def test_an_auditor_reads_but_neither_counts_nor_exports(world):
    auditor = token(world, "auditor")
    base = f"/api/v1/programs/{world.program.public_id}/segments"
    assert call("GET", base, auditor).status_code == 200
    assert call("POST", f"{base}/count", auditor, {"definition": KIDS}).status_code == 403
