"""A till for replaying a template's year: quote first, then pay exactly what the quote asks, at a given local time.

The clock is moved to each document's till time, as if the POS sent it live; job runs take the local date.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import time_machine

from tessera.blueprints.services import blueprint_apply
from tessera.checkout.commands import JoinIn, LineIn, ReturnIn, ReturnLineIn, SaleIn, TenderIn, TopUpIn
from tessera.checkout.services import return_commit, sale_commit, sale_quote, top_up_commit
from tessera.kit.actor import Actor
from tessera.members.models import Member
from tessera.stores.models import Store
from tessera.testing import Shop, World

_numbers = itertools.count(1)


def local(timezone: str, text: str) -> datetime:
    """``local("Asia/Shanghai", "2026-03-31 23:59:59")``: a wall-clock time in ``timezone``."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(timezone))


def template(world: World, *codes: str) -> None:
    hq = Store.objects.get(merchant=world.merchant, kind=Store.Kind.HEADQUARTERS)
    actor = Actor(store_id=hq.id, merchant_id=world.merchant.id, currency=hq.currency, system="test")
    for code in codes:
        with time_machine.travel(datetime(2025, 1, 1, tzinfo=ZoneInfo("UTC")), tick=False):
            blueprint_apply(program=world.program, code=code, actor=actor, now=datetime.now(ZoneInfo("UTC")))


def _sale(member: Member | None, amounts: list[int], at: datetime, *, currency: str, category: str, pay: str,
          total: int, join: JoinIn | None) -> SaleIn:  # fmt: skip
    lines = tuple(LineIn(i, f"SKU{i}", f"Item {i}", 1, fen, category=category) for i, fen in enumerate(amounts, 1))
    tenders = (TenderIn(pay, total),) if total else ()
    return SaleIn(member=member.public_id if member else "", pos_number=f"P{next(_numbers)}", event_at=at,
                  currency=currency, lines=lines, tenders=tenders, join=join)  # fmt: skip


def buy(shop: Shop, member: Member | None, amounts: list[int], at: datetime, *, pay: str = "cash",
        category: str = "clothing", join: JoinIn | None = None) -> dict[str, Any]:  # fmt: skip
    """Quote ``amounts`` (one line each) for ``member`` (or a customer joining), then pay the quoted total."""
    currency = shop.store.currency
    with time_machine.travel(at, tick=False):
        # The till cannot know the member's discount: it asks without tenders, then pays what the answer says.
        draft = _sale(member, amounts, at, currency=currency, category=category, pay=pay, total=0, join=join)
        quoted = sale_quote(actor=shop.actor, sale=draft, now=at)
        sale = _sale(member, amounts, at, currency=currency, category=category, pay=pay, total=quoted["total_minor"],
                     join=join)  # fmt: skip
        body = sale_commit(actor=shop.actor, sale=sale, request_key=f"k-{sale.pos_number}", now=at).body
    body["pos_number"] = sale.pos_number
    return body


def quote(shop: Shop, member: Member, amounts: list[int], at: datetime) -> dict[str, Any]:
    with time_machine.travel(at, tick=False):
        draft = _sale(member, amounts, at, currency=shop.store.currency, category="clothing", pay="cash",
                      total=sum(amounts), join=None)  # fmt: skip
        return sale_quote(actor=shop.actor, sale=draft, now=at)


def top_up(shop: Shop, member: Member, amount: int, at: datetime) -> dict[str, Any]:
    command = TopUpIn(member=member.public_id, pos_number=f"T{next(_numbers)}", event_at=at,
                      currency=shop.store.currency, amount_minor=amount)  # fmt: skip
    with time_machine.travel(at, tick=False):
        return top_up_commit(actor=shop.actor, top_up=command, request_key=f"k-{command.pos_number}", now=at).body


def give_back(shop: Shop, pos_number: str, at: datetime, lines: list[tuple[int, int]] | None = None) -> dict[str, Any]:
    command = ReturnIn(original_pos_number=pos_number, pos_number=f"R{next(_numbers)}", event_at=at,
                       lines=tuple(ReturnLineIn(no, q) for no, q in (lines or [])))  # fmt: skip
    with time_machine.travel(at, tick=False):
        return return_commit(actor=shop.actor, ret=command, request_key=f"k-{command.pos_number}", now=at).body


def member_of(body: dict[str, Any]) -> Member:
    return Member.objects.select_related("program").get(public_id=body["member_id"])
