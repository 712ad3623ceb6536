"""The dashboard page as each role, on the small world of ``console/tests/browser/world.py``. (The console
authorisation suite asks every role at every page too; these check what each one sees.)"""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from tessera.access.console.acting import SESSION_STORE_KEY
from tessera.access.models import StaffUser
from tessera.analytics.models import RfmRun
from tessera.console.tests.browser.world import TODAY, dashboard_world_build
from tessera.testing import world_build

pytestmark = pytest.mark.django_db
OVERVIEW = "console:analytics:overview"


def _client(user, store) -> Client:
    client = Client()
    client.force_login(user)
    if store is not None:
        session = client.session
        session[SESSION_STORE_KEY] = store.id
        session.save()
    return client


@pytest.fixture
def dash():
    with time_machine.travel(TODAY, tick=False):
        yield dashboard_world_build()


def _staff(world, role: str, stores=()) -> StaffUser:
    user = StaffUser.objects.create_user(username=f"{role}.x", password="x", role=role, merchant=world.merchant)
    user.stores.set(stores)
    return user


def test_headquarters_sees_every_chart_for_the_whole_programme(dash):
    response = _client(dash.hq, dash.world.a.store).get(reverse(OVERVIEW))
    body = response.content.decode()
    assert response.status_code == 200
    for chart in ("rfm-grid", "segments", "groups", "funnel", "tiers", "cohorts"):
        assert f'data-chart="{chart}"' in body
    assert body.count('class="cell" data-r=') == 25
    assert "Champions" in body
    assert 'data-diamond="yes"' in body
    assert "count your stores only" not in body
    # The due list's rows, linked to the members' pages: the three shoe buyers are due for shoes and, buying only
    # shoes lately, for any purchase too; one row per member and rhythm, as on the full due list.
    assert body.count('href="/members/mbr_') == 6
    assert "Score now" not in body  # scored already


def test_a_store_manager_reads_their_stores_and_is_told_rfm_is_programme_wide(dash):
    response = _client(dash.manager, dash.world.a.store).get(reverse(OVERVIEW))
    body = response.content.decode()
    assert response.status_code == 200
    assert "count your stores only" in body
    assert 'data-chart="cohorts"' in body


def test_a_store_manager_at_a_store_with_no_members_sees_empty_tiers_and_no_cohorts(dash):
    dash.manager.stores.set([dash.world.b.store])
    body = _client(dash.manager, dash.world.b.store).get(reverse(OVERVIEW)).content.decode()
    assert 'data-diamond="no"' in body
    assert "No purchases in the last twelve months." in body
    assert "Nobody at this store is due" in body


def test_cashiers_and_customer_service_may_not_read_the_dashboard(dash):
    for role in ("cashier", "customer_service"):
        user = _staff(dash.world, role, [dash.world.a.store])
        assert _client(user, dash.world.a.store).get(reverse(OVERVIEW)).status_code == 403


def test_an_alliance_administrator_is_sent_to_choose_a_store_and_sees_no_member(dash):
    user = _staff(dash.world, "alliance_admin")
    response = _client(user, None).get(reverse(OVERVIEW))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("console:store-select"))


def test_without_a_run_headquarters_is_offered_to_score_now_and_a_manager_only_told():
    world = world_build(stores=1)
    hq, manager = _staff(world, "hq_admin"), _staff(world, "store_manager", [world.a.store])
    body = _client(hq, world.a.store).get(reverse(OVERVIEW)).content.decode()
    assert 'id="no-run"' in body
    assert "Score now" in body
    manager_body = _client(manager, world.a.store).get(reverse(OVERVIEW)).content.decode()
    assert 'id="no-run"' in manager_body
    assert "Score now" not in manager_body
    assert _client(manager, world.a.store).post(reverse("console:analytics:score")).status_code == 403
    assert not RfmRun.objects.exists()


def test_score_now_makes_the_first_run_and_returns_to_the_dashboard():
    world = world_build(stores=1)
    hq = _staff(world, "hq_admin")
    response = _client(hq, world.a.store).post(reverse("console:analytics:score"), follow=True)
    assert response.redirect_chain[-1][0] == reverse(OVERVIEW)
    assert RfmRun.objects.filter(program=world.program).count() == 1
    assert "Members scored for" in response.content.decode()
