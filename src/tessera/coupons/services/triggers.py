"""Coupons given when something happens to a member (``CouponTrigger``): welcome on enrolment, birthdays."""

from __future__ import annotations

from datetime import datetime

from tessera.coupons.errors import CouponIssueLimitReached, CouponTemplateInactive
from tessera.coupons.models import Coupon, CouponTrigger
from tessera.coupons.services.issue import IssueSource, coupon_issue
from tessera.kit.actor import Actor
from tessera.kit.db import assert_in_transaction
from tessera.members.models import Member


def coupons_for_event(*, event: str, member: Member, actor: Actor, now: datetime, ref: str = "") -> list[Coupon]:
    """Issue every active trigger's coupons for ``event`` to ``member``, inside the caller's transaction.

    A template switched off or at its limit is skipped: a welcome coupon that ran out must not stop anyone
    joining. Returns the coupons issued.
    """
    assert_in_transaction()
    issued: list[Coupon] = []
    triggers = CouponTrigger.objects.filter(program_id=member.program_id, event=event, is_active=True)
    for trigger in triggers.select_related("template").order_by("id"):
        try:
            issued += coupon_issue(template=trigger.template, member=member, actor=actor,
                                   source=IssueSource(event, ref), now=now, count=trigger.count)  # fmt: skip
        except (CouponIssueLimitReached, CouponTemplateInactive):
            continue
    return issued


def welcome_coupons(member: Member, actor: Actor, now: datetime) -> None:
    """The enrolment hook (``tessera.members.hooks``): the programme's welcome coupons."""
    coupons_for_event(event=CouponTrigger.Event.WELCOME, member=member, actor=actor, now=now, ref=member.public_id)
