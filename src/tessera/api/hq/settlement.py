"""Headquarters API for settlement between stores: closed months, their statements and transfers, exports,
closing a month and recording an adjustment (docs/settlement.md).

Who sees what is ``settlement.selectors.settlement_visible``: the owner's merchant-wide roles see every store, a
store manager only their stores' statements and the transfers that involve them. Any other programme is one
404, whether it exists or not.
"""

from __future__ import annotations

import re
from dataclasses import fields
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Schema
from pydantic import BaseModel, ConfigDict, Field

from tessera.access.api import STAFF_AUTH, staff_of
from tessera.access.rules import Action, Scope
from tessera.access.terminals import ActionForbidden
from tessera.idempotency.services import idempotency_key_require
from tessera.kit.clock import now
from tessera.kit.http import json_response
from tessera.members.errors import ProgramNotServed
from tessera.programs.models import Program
from tessera.settlement.errors import AdjustmentInvalid, PeriodInvalid, PeriodNotFound
from tessera.settlement.exports import export_file
from tessera.settlement.models import SettlementPeriod
from tessera.settlement.rules import StoreFigures
from tessera.settlement.selectors import PeriodView, Visible, period_view, periods_of, settlement_visible
from tessera.settlement.services import settlement_adjust, settlement_close
from tessera.stores.models import Store
from tessera.stores.selectors import headquarters_actor

router = Router(tags=["settlement"], auth=STAFF_AUTH)
STATEMENT_FIELDS = [f.name for f in fields(StoreFigures) if f.name != "store_id"]
PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class PeriodOut(Schema):
    period: str = Field(..., description="YYYY-MM, in the programme owner's time zone.")
    timezone: str
    currency: str
    starts_at: str
    ends_at: str
    postings: int
    closed_at: str
    bonus_rate_bp: int
    point_value_points: int
    point_value_minor: int
    reports_points_expired: bool = Field(
        ..., description="False for months closed before statements reported points expired: they show none."
    )


class StatementOut(Schema):
    store: str = Field(..., description="The store's code.")
    figures: dict[str, int] = Field(
        ..., description="Every line of the statement (docs/settlement.md), points expired unspent included."
    )


class ObligationOut(Schema):
    debtor: str
    creditor: str
    principal_minor: int
    bonus_face_minor: int
    bonus_minor: int
    points: int
    points_minor: int
    adjustments_minor: int
    total_minor: int


class TransferOut(Schema):
    payer: str
    payee: str
    amount_minor: int


class MerchantOut(Schema):
    merchant_id: str
    merchant: str
    owed_to_minor: int
    owed_by_minor: int
    commission_paid_minor: int = Field(..., description="Paid to the alliance operator on points redeemed elsewhere.")
    commission_earned_minor: int = Field(..., description="Earned as the alliance operator.")
    net_minor: int
    points_expired: int = Field(..., description="The merchant's points that lapsed unspent this month.")
    points_expired_minor: int = Field(..., description="Their value at the point value: breakage, owed by nobody.")


class MerchantTransferOut(Schema):
    payer: str = Field(..., description="Merchant id.")
    payee: str
    amount_minor: int


class SettlementOut(PeriodOut):
    statements: list[StatementOut]
    obligations: list[ObligationOut]
    transfers: list[TransferOut]
    merchants: list[MerchantOut] = Field(..., description="Between the merchants of an alliance (HQ view only).")
    merchant_transfers: list[MerchantTransferOut]


class AdjustmentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    creditor: str = Field(..., max_length=32, description="Code of the store that is owed more.")
    debtor: str = Field(..., max_length=32, description="Code of the store that owes it.")
    amount_minor: int = Field(..., description="Positive, in minor units of the programme's currency.")
    reason: str = Field(..., max_length=500)
    corrects: str = Field("", description="The closed month it corrects, YYYY-MM (optional).")


class AdjustmentOut(Schema):
    posting_id: str
    recorded_at: str
    currency: str
    creditor: str
    debtor: str
    amount_minor: int
    reason: str
    corrects: str


def _program(request: HttpRequest, program_id: str, action: Action) -> tuple[Program, Visible]:
    program = Program.objects.filter(public_id=program_id).first()
    user = staff_of(request).user
    if program is None or not _reaches(user.scope(), program):
        raise ProgramNotServed()
    visible = settlement_visible(user.scope(), program, action)
    if visible is None:
        raise ActionForbidden()
    return program, visible


def _reaches(scope: Scope, program: Program) -> bool:
    """The programme is the caller's to ask about: their merchant's, or their alliance's card."""
    if scope.is_platform_admin or scope.merchant_id == program.owner_id:
        return True
    return scope.alliance_id is not None and scope.alliance_id == program.alliance_id


def _month(text: str) -> tuple[int, int]:
    found = PERIOD.match(text)
    if not found:
        raise PeriodInvalid()
    return int(found.group(1)), int(found.group(2))


def _closed(program: Program, text: str, visible: Visible) -> PeriodView:
    year, month = _month(text)
    period = SettlementPeriod.objects.filter(program=program, year=year, month=month).select_related("program").first()
    if period is None:
        raise PeriodNotFound(period=text)
    return period_view(period, store_ids=visible.filter)


def _period_body(p: SettlementPeriod) -> dict[str, object]:
    return {"period": f"{p.year:04d}-{p.month:02d}", "timezone": p.timezone, "currency": p.currency,
            "starts_at": p.starts_at.isoformat(), "ends_at": p.ends_at.isoformat(), "postings": p.postings,
            "closed_at": p.closed_at.isoformat(), "bonus_rate_bp": p.bonus_rate_bp,
            "point_value_points": p.point_value_points, "point_value_minor": p.point_value_minor,
            "reports_points_expired": p.reports_points_expired}  # fmt: skip


def _view_body(view: PeriodView) -> dict[str, object]:
    return {
        **_period_body(view.period),
        "statements": [{"store": s.store.code, "figures": {name: getattr(s, name) for name in STATEMENT_FIELDS}}
                       for s in view.statements],
        "obligations": [{"debtor": o.debtor.code, "creditor": o.creditor.code, "principal_minor": o.principal_minor,
                         "bonus_face_minor": o.bonus_face_minor, "bonus_minor": o.bonus_minor, "points": o.points,
                         "points_minor": o.points_minor, "adjustments_minor": o.adjustments_minor,
                         "total_minor": o.total_minor} for o in view.obligations],
        "transfers": [{"payer": t.payer.code, "payee": t.payee.code, "amount_minor": t.amount_minor}
                      for t in view.transfers],
        "merchants": [{"merchant_id": m.merchant.public_id, "merchant": m.merchant.name,
                       "owed_to_minor": m.owed_to_minor, "owed_by_minor": m.owed_by_minor,
                       "commission_paid_minor": m.commission_paid_minor,
                       "commission_earned_minor": m.commission_earned_minor, "net_minor": m.net_minor,
                       "points_expired": m.points_expired, "points_expired_minor": m.points_expired_minor}
                      for m in view.merchants],
        "merchant_transfers": [{"payer": t.payer.public_id, "payee": t.payee.public_id, "amount_minor": t.amount_minor}
                               for t in view.merchant_transfers],
    }  # fmt: skip


@router.get("/programs/{program_id}/settlements", response=list[PeriodOut], summary="Closed settlement months")
def settlements_list_view(request: HttpRequest, program_id: str) -> HttpResponse:
    program, _visible = _program(request, program_id, Action.SETTLEMENT_VIEW)
    return json_response([_period_body(p) for p in periods_of(program_id=program.id)])


@router.get("/programs/{program_id}/settlements/{period}", response=SettlementOut,
            summary="A closed month: statements, obligations and netted transfers")  # fmt: skip
def settlement_view(request: HttpRequest, program_id: str, period: str) -> HttpResponse:
    program, visible = _program(request, program_id, Action.SETTLEMENT_VIEW)
    return json_response(_view_body(_closed(program, period, visible)))


@router.get("/programs/{program_id}/settlements/{period}/export", response={200: None},
            summary="A closed month as CSV (one table) or XLSX (a sheet per table)")  # fmt: skip
def settlement_export_view(
    request: HttpRequest,
    program_id: str,
    period: str,
    format: Literal["csv", "xlsx"] = Query("xlsx"),
    table: Literal["statements", "obligations", "transfers", "merchants", "merchant_transfers"] = Query("statements"),
) -> HttpResponse:
    program, visible = _program(request, program_id, Action.SETTLEMENT_VIEW)
    body, kind, name = export_file(_closed(program, period, visible), fmt=format, table=table)
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.post("/programs/{program_id}/settlements/{period}/close", response={201: PeriodOut},
             summary="Close a month: compute it once and keep it unchanged")  # fmt: skip
def settlement_close_view(request: HttpRequest, program_id: str, period: str) -> HttpResponse:
    program, _visible = _program(request, program_id, Action.SETTLEMENT_CLOSE)
    year, month = _month(period)
    actor = headquarters_actor(merchant_id=program.owner_id, staff_id=staff_of(request).user.id)
    closed = settlement_close(program=program, year=year, month=month, actor=actor, now=now())
    return json_response(_period_body(closed), status=201)


@router.post("/programs/{program_id}/settlement-adjustments", response={201: AdjustmentOut},
             summary="Record that one store owes another more, with a reason, in the current month")  # fmt: skip
def settlement_adjust_view(
    request: HttpRequest,
    program_id: str,
    body: AdjustmentRequest,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> HttpResponse:
    program, _visible = _program(request, program_id, Action.SETTLEMENT_ADJUST)
    key = idempotency_key_require(idempotency_key)
    if body.corrects:
        _month(body.corrects)
    stores = {
        s.code: s for s in Store.objects.filter(merchant_id=program.owner_id, code__in=[body.creditor, body.debtor])
    }
    if body.creditor not in stores or body.debtor not in stores:
        raise AdjustmentInvalid(reason=_("both stores must serve this programme"))
    actor = headquarters_actor(merchant_id=program.owner_id, staff_id=staff_of(request).user.id)
    answer = settlement_adjust(program=program, creditor=stores[body.creditor], debtor=stores[body.debtor],
                               amount_minor=body.amount_minor, reason=body.reason, corrects=body.corrects,
                               actor=actor, request_key=key, now=now())  # fmt: skip
    answer = {**answer, "creditor": body.creditor, "debtor": body.debtor}
    return json_response(answer, status=201)
