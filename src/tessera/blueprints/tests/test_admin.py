"""Admin: templates are applied from the programme list's actions; a refusal is shown and saves nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tessera.access.models import StaffUser
from tessera.rewards.models import GiftLadder
from tessera.testing import world_build
from tessera.tiers.models import TierLadder

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    root = StaffUser.objects.create_superuser(username="root", password="root password 123", email="")
    client = Client()
    client.force_login(root)
    return client


def act(client, action: str, program, language: str = "en"):
    return client.post(reverse("admin:programs_program_changelist"),
                       {"action": action, "_selected_action": [program.pk]}, follow=True,
                       HTTP_ACCEPT_LANGUAGE=language)  # fmt: skip


def test_the_actions_menu_applies_a_template(client):
    world = world_build()
    page = client.get(reverse("admin:programs_program_changelist"))
    assert "Apply template: Clothing chain monthly gift ladder" in page.content.decode()
    response = act(client, "apply_clothing_monthly_gifts", world.program)
    assert "template applied" in response.content.decode()
    assert GiftLadder.objects.filter(program=world.program).count() == 1


def test_a_refused_template_says_why_and_saves_nothing(client):
    world = world_build()
    act(client, "apply_salon_stored_value", world.program)
    response = act(client, "apply_clothing_diamonds", world.program)
    assert "already has an active tier ladder" in response.content.decode()
    assert TierLadder.objects.filter(program=world.program).count() == 1
    world.program.refresh_from_db()
    assert world.program.join_min_purchase_minor is None
