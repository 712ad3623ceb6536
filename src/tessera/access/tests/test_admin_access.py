"""The Django admin: only platform admins and the operations centre get in, and the operations centre sees only
its own merchant's rows on every admin page."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import FieldError
from django.db import IntegrityError, transaction
from django.test import Client, RequestFactory
from django.urls import reverse

from tessera.access.models import StaffUser
from tessera.access.rules import ADMIN_ROLES, Role
from tessera.kit.console.admin import MerchantScopedAdmin
from tessera.testing import member_new, sell, world_build

pytestmark = pytest.mark.django_db

OTHER_ROLES = [role for role in Role if role not in ADMIN_ROLES]


@pytest.fixture
def world():
    return world_build()


@pytest.fixture
def foreign():
    other = world_build(name="Faraway", stores=1)
    sell(other.a, member_new(other, name="Zed Faraway"))
    return other


def staff(world, role: str, username: str = "", **fields) -> StaffUser:
    return StaffUser.objects.create_user(username=username or role, password="x" * 16, role=role,
                                         merchant=world.merchant, **fields)  # fmt: skip


def signed_in(user: StaffUser) -> Client:
    client = Client()
    client.force_login(user)
    return client


def operations_centre(world) -> StaffUser:
    """An operations-centre admin holding every Django permission there is: only scoping stands in the way."""
    user = staff(world, Role.HQ_ADMIN, "hq", is_staff=True)
    user.user_permissions.set(Permission.objects.all())
    return StaffUser.objects.get(id=user.id)  # fresh, without the permission cache of the old instance


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


def test_a_platform_admin_cannot_give_a_cashier_staff_status(world):
    cashier = staff(world, Role.CASHIER)
    root = StaffUser.objects.create_superuser(username="root", password="x" * 16)
    url = reverse("admin:access_staffuser_change", args=[cashier.pk])
    form = signed_in(root).get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list | tuple)}
    data |= {"is_staff": "on", "date_joined_0": "2026-01-01", "date_joined_1": "00:00", "merchant": world.merchant.pk}
    response = signed_in(root).post(url, data)
    assert "Only platform administrators and the operations centre may use the admin." in response.content.decode()
    cashier.refresh_from_db()
    assert not cashier.is_staff


def test_moving_a_colleague_to_another_role_takes_their_admin_access(world):
    colleague = staff(world, Role.HQ_ADMIN, "colleague", is_staff=True)
    client = signed_in(operations_centre(world))
    url = reverse("admin:access_staffuser_change", args=[colleague.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list | tuple)}
    data |= {"role": Role.AUDITOR.value, "date_joined_0": "2026-01-01", "date_joined_1": "00:00"}
    assert client.post(url, data).status_code == 302
    colleague.refresh_from_db()
    assert (colleague.role, colleague.is_staff) == (Role.AUDITOR, False)


def test_groups_are_for_platform_admins_only(world):
    Group.objects.create(name="till staff")
    client = signed_in(operations_centre(world))
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403
    root = StaffUser.objects.create_superuser(username="root", password="x" * 16)
    assert signed_in(root).get(reverse("admin:auth_group_changelist")).status_code == 200


def test_every_admin_page_is_scoped_to_the_merchant_or_for_platform_admins_only(world):
    request = RequestFactory().get("/admin/")
    request.user = operations_centre(world)
    unscoped = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, MerchantScopedAdmin) and model_admin.has_module_permission(request)
    ]
    assert unscoped == []


def test_the_operations_centre_sees_no_row_of_another_merchant_on_any_admin_page(world, foreign):
    sell(world.a, member_new(world))
    request = RequestFactory().get("/admin/")
    request.user = operations_centre(world)
    leaks = {}
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, MerchantScopedAdmin):
            continue
        seen = model_admin.get_queryset(request)
        try:
            theirs = model._default_manager.filter(**{model_admin.merchant_path: foreign.merchant.id})
        except FieldError:
            theirs = model._default_manager.all()  # no link to a merchant: the page must show them nothing
        leaked = seen.filter(pk__in=theirs.values("pk"))
        if leaked.exists():
            leaks[model._meta.label] = list(leaked.values_list("pk", flat=True))
    assert leaks == {}


def test_the_staff_list_filters_only_by_the_operations_centres_own_merchant(world, foreign):
    html = signed_in(operations_centre(world)).get(reverse("admin:access_staffuser_changelist")).content.decode()
    assert world.merchant.name in html
    assert foreign.merchant.name not in html


def test_no_admin_list_filter_names_another_merchants_stores_or_programmes(world, foreign):
    client = signed_in(operations_centre(world))
    pages = [reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist") for m in admin.site._registry]
    leaking = [url for url in pages if foreign.merchant.name in client.get(url).content.decode()]
    assert leaking == []


def test_the_admin_masks_a_members_personal_data_for_the_operations_centre(world):
    member = member_new(world, phone="13800138000")
    path = reverse("admin:members_member_change", args=[member.id])
    page = signed_in(operations_centre(world)).get(path).content.decode()
    assert "+86138****8000" in page
    assert "13800138000" not in page
    platform = StaffUser.objects.create_superuser(username="root", password="x" * 16)
    assert "+8613800138000" in signed_in(platform).get(path).content.decode()
