"""The world the generated authorisation suites ask their questions in: two merchants, staff of every role, and
for each kind of id a member, document, order, coupon or programme of the own merchant and of the foreign one.

The foreign merchant's rows are the ids a caller might guess or have seen somewhere; ``guess`` makes a
well-formed id that exists nowhere. A foreign id must get exactly the answer a guessed one gets.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field

from ulid import ULID

from tessera.access.models import StaffUser
from tessera.access.rules import PERMISSIONS, REACH, Action, Reach, Role
from tessera.access.services import staff_token_issue
from tessera.checkout.models import Document
from tessera.coupons.codes import code_new
from tessera.coupons.models import CouponTemplate
from tessera.coupons.services import IssueSource, coupon_issue
from tessera.kit.cards import card_number_new
from tessera.kit.clock import now
from tessera.kit.db import use_case
from tessera.mall.services import mall_order_place
from tessera.mall.tests.factories import item_new
from tessera.members.models import Member
from tessera.segments.services import SegmentInput, segment_create
from tessera.settlement.services import settlement_close
from tessera.stores.models import Store
from tessera.stores.selectors import headquarters_actor, headquarters_get
from tessera.testing import Shop, World, key, member_new, sell, top_up, world_build

PLATFORM = "platform"  # a platform administrator: a superuser of no merchant
PRINCIPALS = [*Role, PLATFORM]

# The own member's personal data: no console page and no API answer may show it in full (bar a reveal).
PHONE_LOCAL, PHONE, EMAIL, BIRTHDAY = "13800138000", "+8613800138000", "li.wei@example.com", "1990-05-01"
FOREIGN_NAME, FOREIGN_PHONE = "Zed Faraway", "13900139000"

_guesses = itertools.count(1)


def guess(kind: str, own: str) -> str:
    """A well-formed ``kind`` id like ``own`` that names nothing."""
    if kind == "card":
        return card_number_new()
    if kind == "coupon":
        return code_new()
    if "_" in own and own.split("_", 1)[0].isalpha() and len(own.split("_", 1)[1]) == 26:
        return f"{own.split('_', 1)[0]}_{str(ULID()).lower()}"
    return f"GUESS-{next(_guesses)}"  # POS document numbers and other free-form references


@dataclass
class Side:
    """One merchant's stores and the ids of its rows, by kind."""

    world: World
    member: Member
    refs: dict[str, str] = field(default_factory=dict)

    @property
    def store(self) -> Store:
        return self.world.a.store


@dataclass
class AuthzWorld:
    own: Side
    foreign: Side
    other_store_refs: dict[str, str]  # documents of the own merchant's second store: per store, so foreign too
    staff: dict[str, StaffUser]
    tokens: dict[str, str]
    foreign_hq_token: str
    closed_month: tuple[int, int]  # a settlement month closed for both merchants, for pages that show one

    @property
    def hq_store(self) -> Store:
        return headquarters_get(merchant_id=self.own.world.merchant.id)

    def foreign_values(self, kind: str) -> list[str]:
        values = [self.foreign.refs[kind]]
        if kind in self.other_store_refs:
            values.append(self.other_store_refs[kind])
        return values


def covers(principal: str, store: Store, world: AuthzWorld) -> bool:
    """Whether the principal's scope reaches ``store``, from REACH and the stores this world assigns."""
    if principal == PLATFORM:
        return True
    reach = REACH[Role(principal)]
    if reach is Reach.ALLIANCE or store.merchant_id != world.own.world.merchant.id:
        return False
    return reach is Reach.MERCHANT or store.id == world.own.store.id


def allowed(principal: str, action: Action | None, store: Store, world: AuthzWorld) -> bool:
    """What the matrix says: the role allows the action and its scope reaches the store."""
    if action is None or principal == PLATFORM:
        return covers(principal, store, world)
    return action in PERMISSIONS[Role(principal)] and covers(principal, store, world)


def _side(world: World, *, name: str, phone: str) -> Side:
    member = member_new(world, phone=phone, name=name)
    sale = sell(world.a, member, [(1, 50_000)], pos_number=f"S-{world.a.store.code}-{member.id}")
    top = top_up(world.a, member, 20_000)
    item = item_new(world.program, points_price=100)
    order = mall_order_place(actor=world.a.actor, member=member, item_id=item.public_id, quantity=1,
                             request_key=key(), now=now())  # fmt: skip
    template = CouponTemplate.objects.create(program=world.program, code=f"C{member.id}", kind="cash",
                                             amount_minor=1_000, valid_days=30)  # fmt: skip
    with use_case():
        (coupon,) = coupon_issue(template=template, member=member, actor=world.a.actor, source=IssueSource("staff"),
                                 now=now())  # fmt: skip
    authz_hq = headquarters_actor(merchant_id=world.merchant.id, system="authz")
    segment = segment_create(program=world.program, data=SegmentInput(name="Authz", definition={"all": []}),
                             actor=authz_hq, now=now())  # fmt: skip
    refs = {
        "member": member.public_id,
        "card": member.card_number,
        "document": sale["document_id"],
        "sale": Document.objects.get(public_id=sale["document_id"]).pos_number,
        "top_up": Document.objects.get(public_id=top["document_id"]).pos_number,
        "item": item.public_id,
        "order": order["order_id"],
        "coupon": coupon.code,
        "program": world.program.public_id,
        "segment": segment.public_id,
    }
    return Side(world=world, member=member, refs=refs)


def _other_store_refs(world: World, member: Member) -> dict[str, str]:
    shop: Shop = world.b
    sale = sell(shop, member, [(1, 10_000)], pos_number=f"S-{shop.store.code}")
    top = top_up(shop, member, 10_000)
    return {
        "document": sale["document_id"],
        "sale": Document.objects.get(public_id=sale["document_id"]).pos_number,
        "top_up": Document.objects.get(public_id=top["document_id"]).pos_number,
    }


def _staff(world: World) -> dict[str, StaffUser]:
    people = {}
    for role in Role:
        user = StaffUser.objects.create(username=f"authz.{role}", role=role, merchant=world.merchant)
        if REACH[role] is Reach.STORES:
            user.stores.set([world.a.store])
        people[role.value] = user
    people[PLATFORM] = StaffUser.objects.create(username="authz.platform", is_superuser=True, is_staff=True)
    return people


def _month_close(world: World) -> tuple[int, int]:
    # Two months back: always over, grace period included, whatever the day and the time zone.
    today = now().date()
    year, month = (today.year, today.month - 2) if today.month > 2 else (today.year - 1, today.month + 10)
    actor = headquarters_actor(merchant_id=world.merchant.id, system="authz")
    settlement_close(program=world.program, year=year, month=month, actor=actor, now=now())
    return year, month


def authz_world_build() -> AuthzWorld:
    own_world = world_build(name="Home")
    foreign_world = world_build(name="Faraway", stores=1)
    own = _side(own_world, name="Li Wei", phone=PHONE_LOCAL)
    Member.objects.filter(id=own.member.id).update(email=EMAIL, birthday=datetime.date(1990, 5, 1))
    foreign = _side(foreign_world, name=FOREIGN_NAME, phone=FOREIGN_PHONE)
    staff = _staff(own_world)
    tokens = {who: staff_token_issue(staff=user, now=now()).secret for who, user in staff.items()}
    stranger = StaffUser.objects.create(
        username="authz.faraway.hq", role=Role.HQ_ADMIN, merchant=foreign_world.merchant
    )
    _month_close(foreign_world)
    return AuthzWorld(
        own=own, foreign=foreign, other_store_refs=_other_store_refs(own_world, own.member), staff=staff,
        tokens=tokens, foreign_hq_token=staff_token_issue(staff=stranger, now=now()).secret,
        closed_month=_month_close(own_world),
    )  # fmt: skip


def leaked(body: str, world: AuthzWorld, sent: tuple[str, ...] = ()) -> list[str]:
    """What ``body`` shows that it never may: the foreign member, or the own member's personal data in full.

    What the caller ``sent`` does not count: a search page shows the number that was typed into it.
    """
    foreign = [FOREIGN_NAME, FOREIGN_PHONE, world.foreign.refs["card"]]
    personal = [PHONE_LOCAL, EMAIL, BIRTHDAY]
    return [text for text in [*foreign, *personal] if text in body and text not in sent]
