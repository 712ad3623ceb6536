"""The Django admin: only platform admins and the operations centre get in."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from tessera.access.models import StaffUser
from tessera.access.rules import ADMIN_ROLES, Role
from tessera.testing import world_build

pytestmark = pytest.mark.django_db

OTHER_ROLES = [role for role in Role if role not in ADMIN_ROLES]


@pytest.fixture
def world():
    return world_build()


def staff(world, role: str, username: str = "", **fields) -> StaffUser:
    return StaffUser.objects.create_user(username=username or role, password="x" * 16, role=role,
                                         merchant=world.merchant, **fields)  # fmt: skip


def signed_in(user: StaffUser) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_the_database_refuses_staff_status_to_every_other_role(world, role):
    with pytest.raises(IntegrityError), transaction.atomic():
        staff(world, role, is_staff=True)


def test_the_operations_centre_and_platform_admins_may_have_staff_status(world):
    staff(world, Role.HQ_ADMIN, is_staff=True)
    StaffUser.objects.create_superuser(username="root", password="x" * 16, role=Role.CASHIER)


@pytest.mark.parametrize("role", list(Role))
def test_only_the_operations_centre_opens_the_admin(world, role):
    user = staff(world, role, is_staff=role in ADMIN_ROLES)
    response = signed_in(user).get("/admin/")
    assert response.status_code == (200 if role in ADMIN_ROLES else 302)
