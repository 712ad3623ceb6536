"""What the API answers matches the schemas it publishes in /api/docs (views return JSON directly)."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from tessera.checkout.api.schemas import QuoteOut, RedemptionOut, ReturnOut, SaleOut, TopUpOut
from tessera.checkout.tests.api.conftest import sale_body
from tessera.checkout.tests.api.test_idempotency import writes
from tessera.members.api.schemas import HistoryOut, LookupOut, MemberOut, MemberWithBalancesOut

pytestmark = pytest.mark.django_db

SCHEMAS: dict[str, type[BaseModel]] = {
    "/members": MemberOut,
    "/sales": SaleOut,
    "/top-ups": TopUpOut,
    "/redemptions": RedemptionOut,
    "/returns": ReturnOut,
}


def conforms(schema: type[BaseModel], body: dict) -> None:
    """Every field the schema declares is present and valid, and nothing undeclared is sent."""
    parsed = schema.model_validate(body)
    assert set(body) == set(type(parsed).model_fields), schema.__name__


def test_every_write_answers_in_its_published_shape(pos, member):
    for path, body in writes(member):
        response = pos.post(path, body, key=f"s{path}")
        assert response.status_code == 201
        conforms(SCHEMAS[path], response.json())


def test_reads_and_the_quote_answer_in_their_published_shape(pos, member):
    conforms(QuoteOut, pos.post("/sales/quote", sale_body(member), key=None).json())
    conforms(MemberWithBalancesOut, pos.get(f"/members/{member.public_id}").json())
    conforms(LookupOut, pos.get("/members/lookup", q=member.card_number).json())
    conforms(HistoryOut, pos.get(f"/members/{member.public_id}/history").json())


def test_the_openapi_document_lists_every_operation(client):
    spec = client.get("/api/openapi.json").json()
    operations = {(method, path) for path, ops in spec["paths"].items() for method in ops}
    assert ("post", "/api/v1/sales") in operations
    assert ("post", "/api/v1/returns") in operations
    assert ("get", "/api/v1/members/{member_id}/history") in operations
    assert ("post", "/api/v1/programs/{program_id}/blueprints/{code}") in operations
    for operation in [("post", "/api/v1/top-ups/quote"), ("get", "/api/v1/members/{member}/coupons"),
                      ("post", "/api/v1/coupons/release"), ("post", "/api/v1/programs/{program_id}/coupons/issue"),
                      ("post", "/api/v1/mall/orders"), ("get", "/api/v1/members/{member}/mall"),
                      ("post", "/api/v1/top-ups/refunds"),
                      ("get", "/api/v1/programs/{program_id}/stored-value/liability"),
                      ("get", "/api/v1/programs/{program_id}/settlements/{period}"),
                      ("post", "/api/v1/programs/{program_id}/settlement-adjustments"),
                      ("get", "/api/v1/members/{member_id}/statement"), ("get", "/api/v1/cycles/due"),
                      ("get", "/api/v1/members/{member_id}/recommendations"),
                      ("patch", "/api/v1/members/{member_id}/profile"),
                      ("post", "/api/v1/programs/{program_id}/segments/count"),
                      ("get", "/api/v1/programs/{program_id}/analytics/lifetime-value"),
                      ("post", "/api/v1/programs/{program_id}/tier-designer/suggest")]:  # fmt: skip
        assert operation in operations
    # Nineteen till operations (sales, returns, top-ups and their refunds, coupons, the mall, the member and their
    # progress), fourteen headquarters ones (five of them settlement's); and member intelligence's: eight for the
    # till (profile, tags, statement, recommendations, the due list), thirteen for headquarters (dashboards,
    # lifetime value, segments, the tier designer).
    assert len(operations) == 54
