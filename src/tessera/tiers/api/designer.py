"""Headquarters API for the tier ladder designer (docs/tier-designer.md): evaluate a candidate ladder against the
programme's real spend per member or a given distribution, suggest a better ladder and explain it, and compare two
ladders. Staff tokens of the programme's owner with ``program.configure``; nothing is written.

The reasons come in the language of the request's ``Accept-Language`` header, money in them in major units of
the programme's currency; every figure is also given as a plain value (minor units, basis points, counts).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema
from pydantic import Field

from tessera.access.api import STAFF_AUTH
from tessera.access.operations import operations_declare
from tessera.access.rules import Action
from tessera.kit.errors import Invalid
from tessera.kit.http import json_response
from tessera.kit.money import AMOUNT_MINOR_MAX, currency_exponent
from tessera.members.api.staff import program_for_staff
from tessera.programs.models import Program
from tessera.tiers.designer import BAND_BP, BP, Rung
from tessera.tiers.designer_io import MEMBERS_MAX, ROWS_MAX, spends_read
from tessera.tiers.designer_report import (
    TIERS_MAX,
    comparison_dict,
    evaluate,
    evaluation_dict,
    rungs_dicts,
    suggest,
    suggestion_dict,
)
from tessera.tiers.designer_suggest import PAID_SHARE_BP
from tessera.tiers.selectors import designer_ladder_get, designer_spends_get

router = Router(tags=["tier designer"], auth=STAFF_AUTH)
_BASE = "/programs/{program_id}/tier-designer"
_PATH = f"/api/v1{_BASE}"
operations_declare({
    ("POST", f"{_PATH}/evaluate"): Action.PROGRAM_CONFIGURE,
    ("POST", f"{_PATH}/suggest"): Action.PROGRAM_CONFIGURE,
    ("POST", f"{_PATH}/compare"): Action.PROGRAM_CONFIGURE,
})  # fmt: skip


class NoLadder(Invalid):
    code = "designer_no_ladder"
    message = _("The programme has no active tier ladder that measures money; send the tiers to evaluate.")


class DistributionAmbiguous(Invalid):
    code = "designer_distribution_ambiguous"
    message = _("Send at most one distribution: spends_minor, histogram or spend_file.")


class HistogramTooLarge(Invalid):
    code = "designer_histogram_too_large"
    message = _("The histogram counts %(members)s members, more than the %(max)s allowed.")


class SpendFileNotBase64(Invalid):
    code = "spend_file_invalid"
    message = _("spend_file must be the file's bytes in base64.")


class RungIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    threshold_minor: int = Field(..., ge=0, le=AMOUNT_MINOR_MAX, description="Minor units; 0 names the base tier.")
    discount_bp: int = Field(0, ge=0, le=BP, description="1000 is 10% off.")


class LevelIn(Schema):
    spend_minor: int = Field(..., ge=0, le=AMOUNT_MINOR_MAX)
    members: int = Field(..., ge=0, le=MEMBERS_MAX)


Ladder = Annotated[list[RungIn], Field(min_length=1, max_length=TIERS_MAX)]


class DistributionIn(Schema):
    spends_minor: (
        Annotated[list[Annotated[int, Field(ge=0, le=AMOUNT_MINOR_MAX)]], Field(max_length=ROWS_MAX)] | None
    ) = Field(None, description="One spend per member, zero spenders included, in minor units.")
    histogram: Annotated[list[LevelIn], Field(max_length=ROWS_MAX)] | None = Field(
        None, description="Members per spend level, instead of one spend per member."
    )
    spend_file: str | None = Field(
        None, description="A CSV or XLSX file in base64: a spend column (major units), and members for a histogram."
    )
    band_bp: int = Field(BAND_BP, ge=0, le=BP, description="The acceptance band; 2000 is the seed's 20%.")


class EvaluateIn(DistributionIn):
    tiers: Ladder | None = Field(None, description="The candidate ladder, base tier first; default the active one.")


class SuggestIn(EvaluateIn):
    paid_share_bp: int = Field(PAID_SHARE_BP, gt=0, le=BP, description="Members meant to hold a tier above the base.")


class CompareIn(DistributionIn):
    first: Ladder | None = Field(None, description="Default: the programme's active ladder.")
    second: Ladder


def _spends(program: Program, body: DistributionIn) -> tuple[Sequence[int], str]:
    given = [x for x in (body.spends_minor, body.histogram, body.spend_file) if x is not None]
    if len(given) > 1:
        raise DistributionAmbiguous()
    if body.spends_minor is not None:
        return body.spends_minor, "spends_minor"
    if body.histogram is not None:
        total = sum(level.members for level in body.histogram)
        if total > MEMBERS_MAX:
            raise HistogramTooLarge(members=f"{total:,}", max=f"{MEMBERS_MAX:,}")
        return [level.spend_minor for level in body.histogram for _m in range(level.members)], "histogram"
    if body.spend_file is not None:
        try:
            raw = base64.b64decode(body.spend_file, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise SpendFileNotBase64() from exc
        exponent = currency_exponent(program.currency)
        return spends_read(raw, currency=program.currency, exponent=exponent).spends_minor, "spend_file"
    real = designer_spends_get(program_id=program.id)
    return real.spends_minor, f"programme:{real.source}"


def _ladder(program: Program, tiers: list[RungIn] | None) -> list[Rung]:
    if tiers is not None:
        return [Rung(t.name.strip(), t.threshold_minor, t.discount_bp) for t in tiers]
    current = designer_ladder_get(program_id=program.id, language=get_language() or "en")
    if current is None or not current.judges_money:
        raise NoLadder()
    return list(current.rungs)


def _answer(program: Program, body: dict[str, Any], distribution: str) -> HttpResponse:
    head = {"program_id": program.public_id, "currency": program.currency, "distribution": distribution}
    return json_response(head | body)


@router.post(f"{_BASE}/evaluate", summary="Evaluate a candidate tier ladder")
def designer_evaluate(request: HttpRequest, program_id: str, body: EvaluateIn) -> HttpResponse:
    program, _actor = program_for_staff(request, program_id, Action.PROGRAM_CONFIGURE)
    spends, distribution = _spends(program, body)
    ladder = _ladder(program, body.tiers)
    evaluation = evaluate(spends_minor=spends, ladder=ladder, band_bp=body.band_bp)
    exponent = currency_exponent(program.currency)
    return _answer(program, {"ladder": rungs_dicts(ladder), **evaluation_dict(evaluation, exponent=exponent)},
                   distribution)  # fmt: skip


@router.post(f"{_BASE}/suggest", summary="Suggest a better tier ladder and explain it")
def designer_suggest(request: HttpRequest, program_id: str, body: SuggestIn) -> HttpResponse:
    program, _actor = program_for_staff(request, program_id, Action.PROGRAM_CONFIGURE)
    spends, distribution = _spends(program, body)
    template = _ladder(program, body.tiers)
    exponent = currency_exponent(program.currency)
    given = evaluate(spends_minor=spends, ladder=template, band_bp=body.band_bp)
    suggestion = suggest(spends_minor=spends, template=template, band_bp=body.band_bp,
                         paid_share_bp=body.paid_share_bp)  # fmt: skip
    names = (str(_("the given ladder")), str(_("the suggestion")))
    return _answer(program, {
        "given": {"ladder": rungs_dicts(template), **evaluation_dict(given, exponent=exponent)},
        "suggestion": suggestion_dict(suggestion, exponent=exponent),
        "comparison": comparison_dict(given, suggestion.evaluation, names=names, exponent=exponent),
    }, distribution)  # fmt: skip


@router.post(f"{_BASE}/compare", summary="Compare two tier ladders on the same members")
def designer_compare(request: HttpRequest, program_id: str, body: CompareIn) -> HttpResponse:
    program, _actor = program_for_staff(request, program_id, Action.PROGRAM_CONFIGURE)
    spends, distribution = _spends(program, body)
    first, second = _ladder(program, body.first), _ladder(program, body.second)
    exponent = currency_exponent(program.currency)
    a = evaluate(spends_minor=spends, ladder=first, band_bp=body.band_bp)
    b = evaluate(spends_minor=spends, ladder=second, band_bp=body.band_bp)
    names = (str(_("the first ladder")), str(_("the second ladder")))
    return _answer(program, {
        "first": {"ladder": rungs_dicts(first), **evaluation_dict(a, exponent=exponent)},
        "second": {"ladder": rungs_dicts(second), **evaluation_dict(b, exponent=exponent)},
        "comparison": comparison_dict(a, b, names=names, exponent=exponent),
    }, distribution)  # fmt: skip
