"""The Django admin: every registered model opens; ledger, audit and documents are strictly read-only;
terminal keys are issued once and revoked; staff with admin access see only their own merchant."""

from __future__ import annotations

import hashlib

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from tessera.access.models import StaffUser
from tessera.audit.models import AuditRecord
from tessera.checkout.models import Document
from tessera.console.tests.helpers import make_staff
from tessera.ledger.models import Account, Entry, Posting
from tessera.programs.models import Program
from tessera.stores.models import Store, Terminal, TerminalKey
from tessera.stores.selectors import terminal_key_authenticate
from tessera.stores.services import terminal_create, terminal_key_issue

pytestmark = pytest.mark.django_db

READ_ONLY = [Account, Posting, Entry, AuditRecord, Document]


@pytest.fixture
def root(db):
    return StaffUser.objects.create_superuser(username="root", password="root password 123", email="")


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_every_registered_model_lists_and_shows_its_rows(org, root, wallet_member):
    client = _client(root)
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in {"stores", "access", "programs", "members", "ledger", "audit", "checkout"}:
            continue
        opts = model._meta
        assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code == 200, opts
        row = model_admin.get_queryset(client.get("/admin/").wsgi_request).first()
        if row is not None:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk])
            assert client.get(url).status_code == 200, opts


@pytest.mark.parametrize("model", READ_ONLY)
def test_ledger_audit_and_documents_are_read_only(root, model):
    request = _client(root).get("/admin/").wsgi_request
    model_admin = admin.site._registry[model]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_adding_a_merchant_opens_its_headquarters(root):
    data = {"name": "Han River Cafe", "country": "KR", "timezone": "Asia/Seoul", "currency": "KRW"}
    data |= {"stores-TOTAL_FORMS": "0", "stores-INITIAL_FORMS": "0"}
    response = _client(root).post(reverse("admin:stores_merchant_add"), data)
    assert response.status_code == 302, response.content
    assert Store.objects.filter(merchant__name="Han River Cafe", kind="headquarters").exists()


def test_adding_a_programme_records_its_owner_as_serving_it(org, root):
    data = {
        "name": "Silk Club Plus",
        "owner": org.merchant.pk,
        "currency": "CNY",
        "timezone": "Asia/Shanghai",
        "phone_region": "CN",
        "earn_points": "1",
        "earn_per_minor": "100",
        "point_value_points": "100",
        "point_value_minor": "100",
        "return_shortfall_policy": "debt",
        "stored_value_spend_order": "principal_first",
        "points_expiry_policy": "end_of_year_after",
        "points_expiry_months": "12",
        "points_expiry_reminder_days": "30",
        "burn_min_points": "100",
        "burn_max_share_pct": "50",
        "card_renewal_fee_minor": "1000",
    }
    response = _client(root).post(reverse("admin:programs_program_add"), data)
    assert response.status_code == 302, response.content
    program = Program.objects.get(name="Silk Club Plus")
    assert list(program.participants.values_list("merchant_id", "role")) == [(org.merchant.pk, "owner")]
    assert program.return_shortfall_policy == "debt"
    assert (program.points_expiry_policy, program.points_expiry_months) == ("end_of_year_after", 12)


def test_a_terminal_key_is_shown_once_and_works(org, root):
    terminal = terminal_create(store=org.a, name="till-1")
    response = _client(root).post(
        reverse("admin:stores_terminal_changelist"), {"action": "issue_key", "_selected_action": [terminal.pk]}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = response.context["issued"][0][1]
    assert secret in response.content.decode()
    assert terminal_key_authenticate(secret).id == terminal.id
    key = TerminalKey.objects.get(terminal=terminal)
    assert key.secret_sha256 == hashlib.sha256(secret.split("_", 2)[2].encode()).hexdigest()
    assert secret not in _client(root).get(reverse("admin:stores_terminalkey_change", args=[key.pk])).content.decode()


def test_revoking_a_key_stops_it(org, root):
    issued = terminal_key_issue(terminal=terminal_create(store=org.a, name="till-2"))
    _client(root).post(
        reverse("admin:stores_terminalkey_changelist"), {"action": "revoke", "_selected_action": [issued.key.pk]}
    )
    issued.key.refresh_from_db()
    assert issued.key.revoked_at is not None
    with pytest.raises(Exception, match="invalid_api_key"):
        terminal_key_authenticate(issued.secret)


def test_staff_admins_see_only_their_merchant(org):
    hq = make_staff(org, "hq.staff", "hq_admin", [])
    hq.is_staff = True
    hq.save()

    hq.user_permissions.set(
        Permission.objects.filter(codename__in=["view_store", "change_staffuser", "view_staffuser"])
    )
    make_staff(org, "other.cashier", "cashier", [org.other_store], merchant=org.other_merchant)
    client = _client(hq)
    stores = client.get(reverse("admin:stores_store_changelist")).content.decode()
    assert org.a.name in stores
    assert org.other_store.name not in stores
    staff = client.get(reverse("admin:access_staffuser_changelist")).content.decode()
    assert "hq.staff" in staff
    assert "other.cashier" not in staff
    page = client.get(reverse("admin:access_staffuser_change", args=[hq.pk])).content.decode()
    assert 'name="is_superuser"' not in page  # cannot grant themselves platform rights


def test_stores_of_another_merchant_cannot_be_assigned(org, root):
    user = make_staff(org, "assign.me", "cashier", [org.a])
    url = reverse("admin:access_staffuser_change", args=[user.pk])
    form = _client(root).get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list | tuple)}
    data |= {
        "stores": [org.other_store.pk],
        "merchant": org.merchant.pk,
        "role": "cashier",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00",
    }
    response = _client(root).post(url, data)
    assert response.status_code == 200
    assert "belong to another merchant" in response.content.decode()
    assert list(user.stores.all()) == [org.a]
    assert Terminal.objects.count() == 0


def test_every_admin_of_programme_data_is_scoped_to_the_merchant():
    """A model that belongs to a programme is shown through MerchantScopedAdmin, so a merchant's staff never see
    another merchant's coupons, top-up rules, profiles or mall items."""
    from tessera.kit.console.admin import MerchantScopedAdmin

    unscoped = [
        model.__name__
        for model, model_admin in admin.site._registry.items()
        if any(f.name == "program" for f in model._meta.fields) and not isinstance(model_admin, MerchantScopedAdmin)
    ]
    assert unscoped == []
