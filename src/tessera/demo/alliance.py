"""Set up the demo's alliance: the partners' merchants, stores, terminals and staff, the alliance on the clothing
chain's card with each partner's benefits, and the alliance's administrator."""

from __future__ import annotations

import random

from tessera.demo.accounts import TERMINAL_NAME, alliance_usernames, partner_usernames, staff_create
from tessera.demo.organisation import Business
from tessera.demo.partners import ALLIANCE_NAME, COMMISSION_BP, PARTNERS, Partner
from tessera.programs.models import ProgramMerchant
from tessera.programs.services import alliance_create
from tessera.stores.services import merchant_create, store_create, terminal_create


def alliance_build(*, owner: Business, rng: random.Random) -> dict[str, Business]:
    """Join the partners to ``owner``'s programme: its operator, keeping the commission; stored value not shared
    (no payment licence), points shared. Returns each partner as a business of the owner's market and card."""
    partners = {spec.key: _partner_create(spec, owner=owner, rng=rng) for spec in PARTNERS}
    alliance = alliance_create(
        program=owner.program,
        name=ALLIANCE_NAME,
        partners=[p.merchant for p in partners.values()],
        commission_bp=COMMISSION_BP,
        operator=owner.merchant,
        stored_value_shared=False,
        points_shared=True,
    )
    for spec in PARTNERS:
        # No service sets a partner's benefits yet; an operator sets them in Django admin, on this row.
        points, per_minor = spec.earn
        ProgramMerchant.objects.filter(program=owner.program, merchant=partners[spec.key].merchant).update(
            discount_bp=spec.discount_bp, earn_points=points, earn_per_minor=per_minor
        )
    staff_create(rng=rng, market=owner.market, merchant=owner.merchant, stores={}, rows=alliance_usernames(),
                 alliance=alliance)  # fmt: skip
    return partners


def _partner_create(spec: Partner, *, owner: Business, rng: random.Random) -> Business:
    market = owner.market
    merchant = merchant_create(
        name=spec.merchant, country=market.country, timezone=market.timezone, currency=market.currency
    )
    stores = {s.code: store_create(merchant=merchant, code=s.code, name=s.name) for s in spec.stores}
    terminals = {code: terminal_create(store=store, name=TERMINAL_NAME) for code, store in stores.items()}
    staff = staff_create(rng=rng, market=market, merchant=merchant, stores=stores, rows=partner_usernames(spec))
    return Business(market, merchant, owner.program, stores, terminals, staff)
