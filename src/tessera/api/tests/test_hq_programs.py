"""Headquarters configures its programme over the API; bad settings are refused with a clear message."""

from __future__ import annotations

import pytest
from django.test import Client

from tessera.access.models import StaffUser
from tessera.access.services import staff_token_issue, staff_token_revoke
from tessera.audit.models import AuditRecord
from tessera.kit.clock import now
from tessera.programs.models import Program
from tessera.testing import world_build

pytestmark = pytest.mark.django_db


def token_for(world, role: str, username: str) -> str:
    user = StaffUser.objects.create_user(username=username, password="x" * 16, role=role, merchant=world.merchant)
    user.stores.set([world.a.store])
    return staff_token_issue(staff=user, now=now()).secret


def client(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def world():
    return world_build()


def patch(token, program, body, **headers):
    return client(token).patch(
        f"/api/v1/programs/{program.public_id}", body, content_type="application/json", **headers
    )


def test_headquarters_reads_and_changes_settings(world):
    hq = token_for(world, "hq_admin", "hq")
    assert client(hq).get(f"/api/v1/programs/{world.program.public_id}").json()["points_expiry_policy"] == "never"
    response = patch(hq, world.program, {"points_expiry_policy": "end_of_year_after", "points_expiry_months": 12})
    assert response.status_code == 200, response.content
    assert response.json()["points_expiry_months"] == 12
    assert Program.objects.get(id=world.program.id).points_expiry_policy == "end_of_year_after"
    assert AuditRecord.objects.filter(action="program.configure").count() == 1


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"points_expiry_policy": "days_after_earning"}, "An expiry policy needs its period"),
        ({"points_expiry_policy": "end_of_month_after", "points_expiry_months": None}, "An expiry policy"),
        ({"burn_max_share_pct": 150}, "less than or equal to 100"),
        ({"earn_per_minor": 0}, "greater than or equal to 1"),
        ({"timezone": "Mars/Olympus"}, "is not an IANA time zone"),
    ],
)
def test_bad_settings_are_refused_clearly_and_change_nothing(world, body, fragment):
    hq = token_for(world, "hq_admin", "hq")
    before = Program.objects.values().get(id=world.program.id)
    response = patch(hq, world.program, body)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "program_setup_invalid"
    assert fragment in response.json()["error"]["message"]
    assert Program.objects.values().get(id=world.program.id) == before


def test_messages_come_in_the_callers_language(world):
    hq = token_for(world, "hq_admin", "hq")
    response = patch(hq, world.program, {"points_expiry_policy": "days_after_earning"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 422
    assert "An expiry policy" not in response.json()["error"]["message"]


def test_unknown_fields_and_read_only_ones_are_refused(world):
    hq = token_for(world, "hq_admin", "hq")
    assert patch(hq, world.program, {"currency": "USD"}).status_code == 422
    assert patch(hq, world.program, {"colour": "red"}).status_code == 422


def test_only_headquarters_of_the_owner_may_configure(world):
    manager = token_for(world, "store_manager", "mgr")
    assert patch(manager, world.program, {"name": "Mine"}).status_code == 403
    rival = world_build(name="Rival")
    rival_hq = token_for(rival, "hq_admin", "rival-hq")
    assert client(rival_hq).get(f"/api/v1/programs/{world.program.public_id}").status_code == 404
    assert patch(rival_hq, world.program, {"name": "Mine"}).status_code == 404


def test_tokens_are_checked(world):
    hq_user = StaffUser.objects.create_user(username="hq2", password="x" * 16, role="hq_admin", merchant=world.merchant)
    issued = staff_token_issue(staff=hq_user, now=now())
    assert client(issued.secret).get(f"/api/v1/programs/{world.program.public_id}").status_code == 200
    staff_token_revoke(token=issued.token, now=now())
    response = client(issued.secret).get(f"/api/v1/programs/{world.program.public_id}")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_staff_token"
    assert client("tst_nope_nope").get(f"/api/v1/programs/{world.program.public_id}").status_code == 401
    assert client(world.a.key).get(f"/api/v1/programs/{world.program.public_id}").status_code == 401
