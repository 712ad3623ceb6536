"""The POS REST API, version 1, with its OpenAPI document at ``/api/docs``."""

from __future__ import annotations

from typing import Any

import orjson
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import BaseRenderer

from tessera.analytics.api.cycles import router as cycles_router
from tessera.analytics.api.dashboards import router as analytics_router
from tessera.analytics.api.lifetime import router as lifetime_router
from tessera.analytics.api.statements import router as statements_router
from tessera.api.hq.coupons import router as hq_coupons_router
from tessera.api.hq.programs import router as programs_router
from tessera.api.hq.settlement import router as hq_settlement_router
from tessera.api.hq.setup import router as setup_router
from tessera.api.hq.wallet import router as hq_wallet_router
from tessera.api.progress import router as progress_router
from tessera.checkout.api.views import router as checkout_router
from tessera.coupons.api.views import router as coupons_router
from tessera.crm.api.views import router as crm_router
from tessera.kit.errors import DomainError
from tessera.kit.http import domain_error_response, error_body, json_response
from tessera.mall.api.views import router as mall_router
from tessera.members.api.views import router as members_router
from tessera.segments.api.views import router as segments_router
from tessera.tiers.api.designer import router as designer_router


class OrjsonRenderer(BaseRenderer):
    media_type = "application/json"

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        return orjson.dumps(data)


api = NinjaAPI(
    title="Tessera POS API",
    version="1",
    description=(
        "Membership, points and stored value for POS systems. Authenticate with a terminal API key. "
        "Amounts are integers in minor units of the store's currency. Every write takes an Idempotency-Key."
    ),
    renderer=OrjsonRenderer(),
    docs_url="/docs",
    urls_namespace="api",
)
api.add_router("/v1", members_router)
api.add_router("/v1", checkout_router)
api.add_router("/v1", coupons_router)
api.add_router("/v1", mall_router)
api.add_router("/v1", programs_router)
api.add_router("/v1", hq_coupons_router)
api.add_router("/v1", hq_wallet_router)
api.add_router("/v1", hq_settlement_router)
api.add_router("/v1", progress_router)
api.add_router("/v1", setup_router)
api.add_router("/v1", crm_router)
api.add_router("/v1", segments_router)
api.add_router("/v1", analytics_router)
api.add_router("/v1", cycles_router)
api.add_router("/v1", statements_router)
api.add_router("/v1", designer_router)
api.add_router("/v1", lifetime_router)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return domain_error_response(exc)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = [
        {"field": _field_path(err.get("loc", ())), "problem": err.get("msg", ""), "type": err.get("type")}
        for err in exc.errors
    ]
    body = error_body(
        "invalid_request", _("The request is not valid; see details for each field."), {"fields": details}
    )
    return json_response(body, status=422)


def _field_path(loc: tuple[object, ...] | list[object]) -> str:
    # ninja prefixes the source ("body", "query") and then the view's parameter name; integrators want the
    # path inside their document: "lines.0.quantity", not "body.body.lines.0.quantity".
    parts = [str(p) for p in loc]
    if len(parts) > 2 and parts[0] == "body" and parts[1] == "body":
        parts = parts[2:]
    elif parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:]
    return ".".join(parts)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return json_response(error_body("invalid_api_key", _("The API key is missing, unknown or revoked.")), status=401)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:
        message = _("The request body could not be read; send JSON with Content-Type: application/json.")
        return json_response(error_body("malformed_request", message), status=400)
    return json_response(error_body("http_error", str(exc)), status=exc.status_code)
