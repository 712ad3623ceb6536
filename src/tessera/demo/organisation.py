"""The demo businesses' organisation: merchant, stores, programme, top-up bands, terminals and staff."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from tessera.access.models import StaffUser
from tessera.blueprints.services import blueprint_apply
from tessera.demo.accounts import TERMINAL_NAME, staff_create
from tessera.demo.markets import Market
from tessera.kit.actor import Actor
from tessera.kit.clock import now as clock_now
from tessera.programs.models import Program
from tessera.programs.services import program_create, top_up_band_set
from tessera.stores.models import Merchant, Store, Terminal
from tessera.stores.selectors import headquarters_actor
from tessera.stores.services import merchant_create, store_create, terminal_create


@dataclass(frozen=True, slots=True)
class Business:
    market: Market
    merchant: Merchant
    program: Program
    stores: dict[str, Store]
    terminals: dict[str, Terminal]
    staff: dict[tuple[str, str], StaffUser]  # (store code, role)

    def terminal_actor(self, code: str) -> Actor:
        store = self.stores[code]
        return Actor(store.id, self.merchant.id, store.currency, terminal_id=self.terminals[code].id)

    def staff_actor(self, code: str, role: str) -> Actor:
        store = self.stores[code]
        user = self.staff[code, role]
        return Actor(store.id, self.merchant.id, store.currency, staff_id=user.id, label=user.username)


def business_create(*, market: Market, rng: random.Random, since: datetime | None = None) -> Business:
    """Set up one demo business through the same services an operator's setup uses."""
    merchant = merchant_create(
        name=market.merchant, country=market.country, timezone=market.timezone, currency=market.currency
    )
    stores = {spec.code: store_create(merchant=merchant, code=spec.code, name=spec.name) for spec in market.stores}
    points, worth_minor = market.point_value
    program = program_create(
        owner=merchant,
        name=market.programme_name,
        earn_points=1,
        earn_per_minor=market.earn_per_minor,
        earn_on_stored_value=market.earn_on_stored_value,
        point_value_points=points,
        point_value_minor=worth_minor,
        return_shortfall_policy=market.shortfall_policy,
        stored_value_spend_order=market.spend_order,
    )
    for threshold, bonus in market.bands:
        top_up_band_set(program=program, min_amount_minor=threshold, bonus_minor=bonus)
    if market.templates:
        # Applied as of the demo year's start, so its first month already counts toward the gift ladder.
        actor = headquarters_actor(merchant_id=merchant.id, system="demo")
        for code in market.templates:
            blueprint_apply(program=program, code=code, actor=actor, now=since or clock_now())
        program.refresh_from_db()
    terminals = {code: terminal_create(store=store, name=TERMINAL_NAME) for code, store in stores.items()}
    staff = staff_create(rng=rng, market=market, merchant=merchant, stores=stores)
    return Business(market, merchant, program, stores, terminals, staff)
