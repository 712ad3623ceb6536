"""The dashboards' headquarters API: the figures the console draws, for the programme owner's report readers."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client

from tessera.access.services import staff_token_issue
from tessera.console.tests.browser.world import TODAY, dashboard_world_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def dash():
    with time_machine.travel(TODAY, tick=False):
        yield dashboard_world_build()


def _get(dash, path: str, **query):
    with time_machine.travel(TODAY, tick=False):
        token = staff_token_issue(staff=dash.hq, now=TODAY).secret
        url = f"/api/v1/programs/{dash.world.program.public_id}/analytics/{path}"
        return Client().get(url, query, headers={"Authorization": f"Bearer {token}"})


def test_rfm_gives_the_latest_runs_grid_and_counts(dash):
    body = _get(dash, "rfm").json()
    assert body["reference_date"] == dash.run.reference_date.isoformat()
    assert sum(map(sum, body["grid"])) == body["members_scored"] == 16
    assert [s["code"] for s in body["stages"]] == ["new", "active", "reactivated", "at_risk", "lapsed"]
    assert len(body["segments"]) == 10


def test_cohorts_give_each_months_first_buyers_and_their_returns(dash):
    body = _get(dash, "cohorts", months=6).json()
    assert body["timezone"] == "Asia/Shanghai"
    assert [(c["month"], c["members"]) for c in body["cohorts"]] == [
        ("2026-01", 3), ("2026-02", 3), ("2026-03", 3), ("2026-04", 3), ("2026-05", 2), ("2026-06", 2)
    ]  # fmt: skip
    assert [len(c["retained"]) for c in body["cohorts"]] == [5, 4, 3, 2, 1, 0]
    assert _get(dash, "cohorts", months=0).status_code == 422


def test_tiers_give_the_distribution_and_the_designers_verdict(dash):
    body = _get(dash, "tiers").json()
    assert [t["members"] for t in body["tiers"]] == [5, 3, 5, 2, 1]
    assert body["is_diamond"] is True
    assert body["findings"] == ["shape_diamond"]
