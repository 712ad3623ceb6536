"""Helpers for console tests: personas, a signed-in client, write tokens and form data."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.test import Client

from tessera.access.console.acting import SESSION_STORE_KEY
from tessera.access.models import StaffUser
from tessera.kit.actor import Actor
from tessera.members.models import Member
from tessera.programs.models import Program
from tessera.stores.models import Merchant, Store

PASSWORD = "correct horse battery staple"
TOKEN_RE = re.compile(r'name="token" value="([^"]+)"')


@dataclass
class Org:
    merchant: Merchant
    a: Store
    b: Store
    program: Program
    other_merchant: Merchant
    other_store: Store


def make_staff(org: Org, username: str, role: str, stores: list[Store], merchant: Merchant | None = None) -> StaffUser:
    user = StaffUser.objects.create_user(
        username=username, password=PASSWORD, role=role, merchant=merchant or org.merchant
    )
    user.stores.set(stores)
    return user


def system_actor(store: Store) -> Actor:
    return Actor(store_id=store.id, merchant_id=store.merchant_id, currency=store.currency, system="test-setup")


def console(user: StaffUser, store: Store | None, language: str | None = None) -> Client:
    """A client signed in as ``user``, acting as ``store``."""
    client = Client(headers={"accept-language": language} if language else None)
    client.force_login(user)
    if store is not None:
        session = client.session
        session[SESSION_STORE_KEY] = store.id
        session.save()
    return client


def token_of(html: str) -> str:
    found = TOKEN_RE.search(html)
    assert found, "the form carries no write token"
    return found.group(1)


def formset(prefix: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "1",
        f"{prefix}-MAX_NUM_FORMS": "50",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data


def sale_data(token: str, member: str, lines: list[tuple[str, int, str]], tenders: list[tuple[str, str]]) -> dict:
    """POST data for the sale screen: lines as (name, quantity, unit price), tenders as (kind, amount)."""
    line_rows = [
        {"sku": f"SKU-{i}", "name": name, "category": "Tops", "quantity": str(q), "unit_price": price, "discount": ""}
        for i, (name, q, price) in enumerate(lines, start=1)
    ]
    tender_rows = [{"kind": kind, "amount": amount, "reference": ""} for kind, amount in tenders]
    return {"token": token, "member": member, **formset("lines", line_rows), **formset("tenders", tender_rows)}


def balances_of(member: Member):
    from tessera.members.selectors import member_balances

    return member_balances(member=Member.objects.select_related("program").get(id=member.id))
