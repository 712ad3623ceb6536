"""Admin: the outbox and job runs are read-only; dead letters can be retried; staff see only their own runs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from tessera.access.models import StaffUser
from tessera.kit.clock import now
from tessera.kit.db import use_case
from tessera.messaging.models import JobRun, OutboxMessage
from tessera.messaging.services import outbox_enqueue
from tessera.messaging.tests.conftest import program_in

pytestmark = pytest.mark.django_db

OUTBOX = "admin:messaging_outboxmessage_changelist"
RUNS = "admin:messaging_jobrun_changelist"


@pytest.fixture
def root():
    client = Client()
    client.force_login(StaffUser.objects.create_superuser(username="root", password="root password 123", email=""))
    return client


@pytest.fixture
def messages():
    """One processed message, one pending, one dead letter (10 failed attempts) with its error."""
    with use_case():
        for kind in ("test.done", "test.pending", "test.dead"):
            outbox_enqueue(kind=kind, payload={}, now=now())
    OutboxMessage.objects.filter(kind="test.done").update(processed_at=now(), attempts=1)
    OutboxMessage.objects.filter(kind="test.dead").update(
        attempts=10, available_at=now() + timedelta(hours=6), last_error="Traceback ...\nTimeoutError: provider down"
    )
    return {m.kind: m for m in OutboxMessage.objects.all()}


def test_outbox_lists_each_state_and_shows_a_message(root, messages):
    page = root.get(reverse(OUTBOX)).content.decode()
    assert "Dead letter" in page
    assert "Pending" in page
    assert "Processed" in page
    assert "TimeoutError: provider down" in page  # the last line of the error, in the list
    for state, kinds in [("dead", ["test.dead"]), ("pending", ["test.pending"]), ("processed", ["test.done"])]:
        listed = root.get(reverse(OUTBOX), {"state": state}).context["cl"].result_list
        assert [message.kind for message in listed] == kinds, state
    change = reverse("admin:messaging_outboxmessage_change", args=[messages["test.dead"].id])
    assert root.get(change).status_code == 200


def test_retry_now_makes_a_dead_letter_due_with_fresh_attempts(root, messages):
    dead, done = messages["test.dead"], messages["test.done"]
    response = root.post(reverse(OUTBOX), {"action": "retry_now", "_selected_action": [dead.id, done.id]}, follow=True)
    assert "1 message will be delivered again shortly." in response.content.decode()
    dead.refresh_from_db()
    assert dead.attempts == 0
    assert dead.available_at <= now()
    assert "provider down" in dead.last_error
    done.refresh_from_db()
    assert done.attempts == 1  # processed messages are never sent again


@pytest.mark.parametrize("model", [OutboxMessage, JobRun])
def test_outbox_and_job_runs_are_read_only(root, model):
    request = root.get("/admin/").wsgi_request
    model_admin = admin.site._registry[model]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_job_runs_list_and_show_and_staff_see_only_their_merchants_runs(root):
    seoul, shanghai = program_in("Asia/Seoul", "Glow"), program_in("Asia/Shanghai", "Silk")
    for program in (seoul, shanghai):
        JobRun.objects.create(
            program=program, job="points.expiry", local_date=date(2027, 1, 1), status=JobRun.Status.FAILED,
            started_at=now(), finished_at=now(), error="RuntimeError: disk full",
        )  # fmt: skip
    page = root.get(reverse(RUNS)).content.decode()
    assert "Glow club" in page
    assert "Silk club" in page
    run = JobRun.objects.get(program=seoul)
    assert root.get(reverse("admin:messaging_jobrun_change", args=[run.id])).status_code == 200

    staff = StaffUser.objects.create_user(
        username="hq.seoul", password="x" * 12, role="hq_admin", merchant=seoul.owner, is_staff=True
    )
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_jobrun", "view_outboxmessage", "change_outboxmessage"])
    )
    client = Client()
    client.force_login(staff)
    scoped = client.get(reverse(RUNS)).content.decode()
    assert "Glow club" in scoped
    assert "Silk club" not in scoped
    request = client.get("/admin/").wsgi_request
    assert not admin.site._registry[OutboxMessage].get_queryset(request).exists()  # platform admins only
    assert "retry_now" not in admin.site._registry[OutboxMessage].get_actions(request)
