"""Issuing coupons from a template: by staff, in bulk to a list of members, or by a trigger inside another write.

``coupon_issue`` runs inside its caller's transaction (a top-up that grants a coupon, a mall order that sells
one, a gift claimed), so the coupon exists exactly when the write that gave it commits. The template's usage
row is locked first: its total limit and issue count are checked and raised under that lock, so two tills
issuing the last coupon of a limited template at once issue it once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from tessera.audit.services import audit_record
from tessera.coupons.codes import code_new
from tessera.coupons.errors import CouponIssueLimitReached, CouponTemplateInactive, CouponTemplateNotFound
from tessera.coupons.models import Coupon, CouponEvent, CouponTemplate, CouponTemplateUsage
from tessera.kit.actor import Actor
from tessera.kit.db import assert_in_transaction, sql_run, use_case
from tessera.members.models import Member


@dataclass(frozen=True, slots=True)
class IssueSource:
    """Why a coupon is issued: ``kind`` is staff, bulk, welcome, top_up, gift_ladder, birthday or mall; ``ref``
    the public id of what caused it (a document, an order, a grant), if any."""

    kind: str
    ref: str = ""


def coupon_issue(
    *, template: CouponTemplate, member: Member, actor: Actor, source: IssueSource, now: datetime, count: int = 1,
    starts_at: datetime | None = None,
) -> list[Coupon]:  # fmt: skip
    """Issue ``count`` coupons of ``template`` to ``member`` inside the caller's transaction.

    ``starts_at``: the coupons are usable from then on (a gift that is not usable at once), not from now.

    :raises CouponTemplateInactive: the template is switched off.
    :raises CouponIssueLimitReached: the template's total or per-member limit would be passed.
    """
    assert_in_transaction()
    template = CouponTemplate.objects.get(pk=template.pk)  # the caller's copy may predate a change
    if not template.is_active or template.program_id != member.program_id:
        raise CouponTemplateInactive(template=template.code)
    usage = usage_lock(template.pk)
    _limits_check(template, usage, member=member, count=count)
    valid_from, valid_until = _validity(template, now, starts_at)
    coupons = [_coupon_new(template, member, source, now, valid_from, valid_until) for _ in range(count)]
    CouponTemplateUsage.objects.filter(pk=usage.pk).update(issued_count=usage.issued_count + count)
    CouponEvent.objects.bulk_create(
        CouponEvent(coupon=c, kind=CouponEvent.Kind.ISSUED, store_id=actor.store_id, terminal_id=actor.terminal_id,
                    staff_id=actor.staff_id, system=actor.system, document=source.ref, at=now)
        for c in coupons
    )  # fmt: skip
    return coupons


def coupons_issue(
    *, actor: Actor, template_code: str, members: Sequence[Member], now: datetime, source: IssueSource | None = None
) -> list[Coupon]:
    """Issue one coupon of a template to each member listed, all or none. Staff use case.

    :raises CouponTemplateNotFound: no template with that code in the members' programme.
    """
    source = source or IssueSource("staff" if len(members) == 1 else "bulk")
    with use_case():
        issued: list[Coupon] = []
        for member in members:
            template = _template_for(member, template_code)
            issued += coupon_issue(template=template, member=member, actor=actor, source=source, now=now)
        audit_record(actor=actor, action="coupons.issue", object_type="coupon_template", object_id=template_code,
                     now=now, details={"members": len(members), "coupons": len(issued)})  # fmt: skip
    return issued


def _template_for(member: Member, code: str) -> CouponTemplate:
    template = CouponTemplate.objects.filter(program_id=member.program_id, code=code).first()
    if template is None:
        raise CouponTemplateNotFound()
    return template


def usage_lock(template_id: int) -> CouponTemplateUsage:
    """The template's usage row, created if missing, locked until the transaction ends."""
    table = CouponTemplateUsage._meta.db_table
    sql_run(
        f"INSERT INTO {table} (template_id, issued_count, budget_used_minor) VALUES (%s, 0, 0)"  # noqa: S608
        " ON CONFLICT (template_id) DO NOTHING",
        [template_id],
    )
    return CouponTemplateUsage.objects.select_for_update().get(template_id=template_id)


def _limits_check(template: CouponTemplate, usage: CouponTemplateUsage, *, member: Member, count: int) -> None:
    if template.total_limit is not None and usage.issued_count + count > template.total_limit:
        raise CouponIssueLimitReached(template=template.code, limit=template.total_limit)
    if template.per_member_limit is not None:
        held = Coupon.objects.filter(template=template, member=member).exclude(state=Coupon.State.VOIDED).count()
        if held + count > template.per_member_limit:
            raise CouponIssueLimitReached(template=template.code, limit=template.per_member_limit)


def _validity(template: CouponTemplate, now: datetime, starts_at: datetime | None) -> tuple[datetime, datetime]:
    """From the template's first moment (or now), until its last moment or N days after issue, the earlier."""
    start = max(template.valid_from or now, starts_at or now, now)
    ends = [template.valid_until] if template.valid_until else []
    if template.valid_days:
        ends.append(now + timedelta(days=template.valid_days))
    return start, min(ends)


def _coupon_new(
    template: CouponTemplate, member: Member, source: IssueSource, now: datetime, start: datetime, end: datetime
) -> Coupon:
    # A clash of two 60-bit random codes is all but impossible; should it happen, draw again.
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Coupon.objects.create(
                    code=code_new(), template=template, program_id=template.program_id, member=member,
                    valid_from=start, valid_until=end, source=source.kind, source_id=source.ref, issued_at=now,
                    updated_at=now,
                )  # fmt: skip
        except IntegrityError:
            continue
    raise RuntimeError("could not draw a unique coupon code")
