"""The API's authorisation suite, generated from the OpenAPI document, ``API_ACTIONS`` and the permission matrix
(issue 5; OWASP API1 broken object-level and API5 broken function-level authorisation).

Every operation must declare its action in ``access/operations.py``, take either a terminal key or a staff
token, and have an example request here. Each operation is then asked:

- by the kind of caller it is for, in its own scope: terminals of the own store may do their till actions;
  staff may do what the matrix gives their role at the merchant's headquarters, and get 403 otherwise;
- by every other kind of caller, and with no credentials at all: 401;
- by a terminal naming a store other than its own: 403 ``wrong_store``;
- with ids of another merchant's member, card, documents, coupon, mall item, order or programme, of the own
  merchant's other store's documents, and by the other merchant's own callers with the own ids: the very answer
  a guessed id gets, and never the foreign member or the own member's personal data in the answer.

New operations are picked up by this suite without any change here, and fail it until they are declared.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tessera.access.api import STAFF_AUTH
from tessera.access.operations import API_ACTIONS, API_TARGETS, Target
from tessera.access.rules import PERMISSIONS, REACH, TERMINAL_ACTIONS, Action, Reach, Role
from tessera.access.tests.authz import PLATFORM, PRINCIPALS, AuthzWorld, allowed, authz_world_build, guess, leaked
from tessera.api.urls import api
from tessera.kit.clock import now
from tessera.stores.api.auth import TERMINAL_AUTH

pytestmark = pytest.mark.django_db

TERMINAL, STAFF = "terminal", "staff"
SCHEMES = {type(a).__name__: TERMINAL for a in TERMINAL_AUTH} | {type(a).__name__: STAFF for a in STAFF_AUTH}
PATH_KINDS = {"member_id": "member", "member": "member", "member_ref": "member", "order": "order",
              "program_id": "program", "code": "blueprint", "period": "month", "segment_id": "segment"}  # fmt: skip
REF_KINDS = ("member", "card", "sale", "top_up", "item", "order", "coupon", "program", "segment")
# The not-found answers of ids: a caller let in with its own ids must never get one of these.
NOT_FOUND = {"member_not_found", "program_not_found", "document_not_found", "top_up_not_found", "coupon_not_found",
             "mall_order_not_found", "mall_item_not_found", "settlement_period_not_found",
             "segment_not_found"}  # fmt: skip

_SALE = {"store": "{store}", "pos_number": "{pos}", "event_at": "{now}", "member": "{member}", "currency": "CNY",
         "lines": [{"line_no": 1, "sku": "T-1", "name": "Shirt", "quantity": 1, "unit_price_minor": 10_000}],
         "tenders": [{"kind": "cash", "amount_minor": 10_000}]}  # fmt: skip
_TOP_UP = {"store": "{store}", "pos_number": "{pos}", "event_at": "{now}", "member": "{member}", "currency": "CNY",
           "amount_minor": 10_000}  # fmt: skip
_PROGRAM = "/api/v1/programs/{program_id}"
_MONTH = f"{_PROGRAM}/settlements/{{period}}"

# One request per operation, enough to pass its schema so the answer says who may do it, not what is malformed.
EXAMPLES: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/api/v1/members/lookup"): {"query": {"q": "{card}"}},
    ("POST", "/api/v1/members"): {"body": {"store": "{store}", "phone": "{phone}", "name": "New Member"}},
    ("GET", "/api/v1/members/{member_id}"): {},
    ("GET", "/api/v1/members/{member_id}/history"): {},
    ("GET", "/api/v1/members/{member_ref}/progress"): {},
    ("GET", "/api/v1/members/{member_id}/statement"): {},
    ("GET", "/api/v1/members/{member_id}/recommendations"): {},
    ("GET", "/api/v1/cycles/due"): {"query": {"store": "{store}"}},
    ("GET", "/api/v1/members/{member}/coupons"): {"query": {"store": "{store}"}},
    ("GET", "/api/v1/members/{member}/mall"): {"query": {"store": "{store}"}},
    ("POST", "/api/v1/sales/quote"): {"body": {**_SALE, "coupons": ["{coupon}"]}},
    ("POST", "/api/v1/sales"): {"body": _SALE},
    ("POST", "/api/v1/returns"): {
        "body": {"store": "{store}", "pos_number": "{pos}", "event_at": "{now}", "original_pos_number": "{sale}"}
    },
    ("POST", "/api/v1/top-ups/quote"): {"body": _TOP_UP},
    ("POST", "/api/v1/top-ups"): {"body": _TOP_UP},
    ("POST", "/api/v1/top-ups/refunds"): {
        "body": {
            "store": "{store}",
            "pos_number": "{pos}",
            "event_at": "{now}",
            "original_pos_number": "{top_up}",
            "amount_minor": 1_000,
        }
    },
    ("POST", "/api/v1/redemptions"): {
        "body": {"store": "{store}", "pos_number": "{pos}", "event_at": "{now}", "member": "{member}", "points": 1}
    },
    ("POST", "/api/v1/coupons/release"): {"body": {"store": "{store}", "pos_number": "{pos}"}},
    ("POST", "/api/v1/mall/orders"): {"body": {"store": "{store}", "member": "{member}", "item": "{item}"}},
    ("GET", "/api/v1/mall/orders/{order}"): {"query": {"store": "{store}"}},
    ("POST", "/api/v1/mall/orders/{order}/advance"): {"body": {"store": "{store}", "state": "ready"}},
    ("POST", "/api/v1/mall/orders/{order}/cancel"): {"body": {"store": "{store}"}},
    ("GET", "/api/v1/members/{member_id}/profile"): {},
    ("PATCH", "/api/v1/members/{member_id}/profile"): {"body": {"store": "{store}", "region": "Authz"}},
    ("GET", "/api/v1/members/{member_id}/tags"): {},
    ("POST", "/api/v1/members/{member_id}/tags"): {"body": {"store": "{store}", "tag": "Authz"}},
    ("POST", "/api/v1/members/{member_id}/tags/remove"): {"body": {"store": "{store}", "tag": "Authz"}},
    ("GET", "/api/v1/blueprints"): {},
    ("GET", _PROGRAM): {},
    ("PATCH", _PROGRAM): {"body": {}},
    ("POST", f"{_PROGRAM}/blueprints/{{code}}"): {},
    ("POST", f"{_PROGRAM}/tier-ladders"): {
        "body": {"name": "Authz", "measure": "points_in_window", "window": "calendar_year", "tiers": []}
    },
    ("POST", f"{_PROGRAM}/earning-rules"): {
        "body": {"code": "authz", "kind": "weekday", "factor_permille": 2000, "weekday": 1}
    },
    ("POST", f"{_PROGRAM}/gift-ladders"): {"body": {"name": "Authz", "steps": [], "active_from": "2026-01-01"}},
    ("POST", f"{_PROGRAM}/coupons/issue"): {"body": {"template": "NOPE", "members": ["{member}"]}},
    ("GET", f"{_PROGRAM}/stored-value/liability"): {},
    ("GET", f"{_PROGRAM}/analytics/lifetime-value"): {},
    ("GET", f"{_PROGRAM}/analytics/rfm"): {},
    ("GET", f"{_PROGRAM}/analytics/cohorts"): {"query": {"months": 3}},
    ("GET", f"{_PROGRAM}/analytics/tiers"): {},
    ("GET", f"{_PROGRAM}/settlements"): {},
    ("GET", _MONTH): {},
    ("GET", f"{_MONTH}/export"): {"query": {"format": "csv"}},
    ("POST", f"{_MONTH}/close"): {},
    ("POST", f"{_PROGRAM}/settlement-adjustments"): {
        "body": {"creditor": "S001", "debtor": "S002", "amount_minor": 100, "reason": "authz"}
    },
    ("POST", f"{_PROGRAM}/segments/count"): {"body": {"definition": {"all": []}}},
    ("GET", f"{_PROGRAM}/segments"): {},
    ("POST", f"{_PROGRAM}/segments"): {"body": {"name": "Authz new", "definition": {"all": []}}},
    ("GET", f"{_PROGRAM}/segments/{{segment_id}}"): {},
    ("POST", f"{_PROGRAM}/segments/{{segment_id}}/refresh"): {},
    ("GET", f"{_PROGRAM}/segments/{{segment_id}}/export"): {},
    ("POST", f"{_PROGRAM}/tier-designer/evaluate"): {
        "body": {"tiers": [{"name": "Silver", "threshold_minor": 1_000}], "spends_minor": [0, 1_500]}
    },
    ("POST", f"{_PROGRAM}/tier-designer/suggest"): {
        "body": {
            "tiers": [{"name": n, "threshold_minor": t} for n, t in (("A", 10), ("B", 20), ("C", 30))],
            "spends_minor": [0, 5, 10, 15, 20, 25, 30, 35],
        }
    },
    ("POST", f"{_PROGRAM}/tier-designer/compare"): {
        "body": {
            "first": [{"name": "A", "threshold_minor": 10}],
            "second": [{"name": "B", "threshold_minor": 20}],
            "spends_minor": [0, 15, 25],
        }
    },
}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    caller: str  # TERMINAL or STAFF

    @property
    def key(self) -> tuple[str, str]:
        return self.method, self.path

    @property
    def action(self) -> Action | None:
        return API_ACTIONS[self.key]


def _schemes(operation: dict[str, Any]) -> set[str]:
    return {name for requirement in operation.get("security", []) for name in requirement}


def _operations() -> list[Operation]:
    found = []
    for path, methods in api.get_openapi_schema()["paths"].items():
        for method, operation in methods.items():
            callers = {SCHEMES.get(name, name) for name in _schemes(operation)}
            found.append(Operation(method.upper(), path, callers.pop() if len(callers) == 1 else "?"))
    return found


OPERATIONS = _operations()


def test_every_operation_declares_its_action_and_no_declaration_is_stale():
    keys = {op.key for op in OPERATIONS}
    assert sorted(keys - set(API_ACTIONS)) == [], "declare the action of these operations in access/operations.py"
    assert sorted(set(API_ACTIONS) - keys) == [], "these declarations name no operation"
    assert set(API_TARGETS) <= {op.key for op in OPERATIONS if op.caller == STAFF}, "targets are for staff tools"


def test_every_operation_takes_a_terminal_key_or_a_staff_token():
    assert [op.key for op in OPERATIONS if op.caller not in (TERMINAL, STAFF)] == []


def test_terminals_are_declared_only_till_actions():
    assert [op.key for op in OPERATIONS if op.caller == TERMINAL and op.action not in TERMINAL_ACTIONS] == []


def test_every_operation_has_an_example_request_and_every_parameter_ids_to_try():
    assert sorted({op.key for op in OPERATIONS} - set(EXAMPLES)) == [], "add an example request to EXAMPLES"
    params = {part[1:-1] for op in OPERATIONS for part in op.path.split("/") if part.startswith("{")}
    assert params <= set(PATH_KINDS), "map the new path parameter in PATH_KINDS"


# ---------------------------------------------------------------- asking

_serial = itertools.count(1)


def _fill(value: Any, refs: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _fill(v, refs) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, refs) for v in value]
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        name = value[1:-1]
        fresh = {"pos": f"AZ-{next(_serial)}", "phone": f"1370013{next(_serial):04d}", "now": now().isoformat()}
        return fresh[name] if name in fresh else refs[name]
    return value


def _uses(op: Operation) -> set[str]:
    text = json.dumps(EXAMPLES[op.key]) + " ".join(f"{{{PATH_KINDS[p[1:-1]]}}}" for p in op.path.split("/")
                                                   if p.startswith("{"))  # fmt: skip
    return {kind for kind in (*REF_KINDS, "store") if f"{{{kind}}}" in text}


@dataclass
class Answer:
    status: int
    code: str
    body: str

    def __str__(self) -> str:
        return f"{self.status} {self.code}".strip()


def ask(op: Operation, refs: dict[str, str], credential: str | None) -> Answer:
    example = EXAMPLES[op.key]
    path = op.path
    for part in op.path.split("/"):
        if part.startswith("{"):
            path = path.replace(part, refs[PATH_KINDS[part[1:-1]]])
    headers = {"Idempotency-Key": f"authz-{next(_serial)}"}
    if credential:
        headers["Authorization"] = f"Bearer {credential}"
    query = _fill(example.get("query", {}), refs)
    if op.method == "GET":
        response = Client().get(path, query, headers=headers)
    else:
        body = json.dumps(_fill(example.get("body", {}), refs))
        response = Client().generic(op.method, path, body, content_type="application/json", headers=headers)
    text = response.content.decode(errors="replace")
    try:
        code = json.loads(text).get("error", {}).get("code", "") if text.startswith("{") else ""
    except ValueError:
        code = ""
    return Answer(response.status_code, code, text)


def _let_in(answer: Answer, op: Operation) -> bool:
    """The caller was let in and its own ids were found: anything but a refusal, a bad example or a crash.

    A domain's own 422 (a tier ladder that does not add up) comes after the check; ``invalid_request`` is the
    schema's, before it, and means the example needs mending.
    """
    if answer.status in (401, 403) or answer.status >= 500 or answer.code in NOT_FOUND | {"invalid_request"}:
        return False
    return answer.status == 200 if op.method == "GET" else True


def _own_refs(world: AuthzWorld, store_code: str) -> dict[str, str]:
    year, month = world.closed_month
    return world.own.refs | {"store": store_code, "blueprint": "member_days", "month": f"{year:04d}-{month:02d}"}


def _staff_may(principal: str, op: Operation, world: AuthzWorld) -> bool:
    """The matrix's answer for a headquarters tool, asked where the operation's target says."""
    if op.action is None or principal == PLATFORM:
        return True  # None: any staff token at all
    role = Role(principal)
    target = API_TARGETS.get(op.key, Target.STORE)
    if op.action not in PERMISSIONS[role]:
        return False
    if target is Target.STORE:
        return allowed(principal, op.action, world.hq_store, world)
    if target is Target.MERCHANT:
        return REACH[role] is Reach.MERCHANT
    assigned = world.staff[principal].stores.exists()
    return REACH[role] is Reach.MERCHANT or (REACH[role] is Reach.STORES and assigned)


# ---------------------------------------------------------------- the checks


def _check_callers(op: Operation, world: AuthzWorld) -> list[str]:
    """The caller the operation is for may do what the matrix says; every other caller gets 401."""
    refs, problems = _own_refs(world, world.own.store.code), []
    terminal_key, staff_tokens = world.own.world.a.key, world.tokens
    if op.caller == TERMINAL:
        answer = ask(op, refs, terminal_key)
        if not _let_in(answer, op):
            problems.append(f"{op.key} by its own store's terminal: {answer}")
        wrong = [ask(op, refs, token) for token in staff_tokens.values()]
    else:
        for principal in PRINCIPALS:
            answer = ask(op, refs, staff_tokens[principal])
            if _staff_may(principal, op, world):
                if not _let_in(answer, op):
                    problems.append(f"{op.key} by {principal}: {answer}, the matrix allows it")
            elif (answer.status, answer.code) != (403, "action_forbidden"):
                problems.append(f"{op.key} by {principal}: {answer}, the matrix refuses it")
        wrong = [ask(op, refs, terminal_key)]
    wrong.append(ask(op, refs, None))
    problems += [f"{op.key} by the wrong kind of caller or none: {a}" for a in wrong if a.status != 401]
    return problems


def _check_wrong_store(op: Operation, world: AuthzWorld) -> list[str]:
    if op.caller != TERMINAL or "store" not in _uses(op):
        return []
    problems = []
    for code in (world.own.world.b.store.code, "ZZ99"):
        answer = ask(op, _own_refs(world, code), world.own.world.a.key)
        if (answer.status, answer.code) != (403, "wrong_store"):
            problems.append(f"{op.key} by a terminal naming store {code}: {answer}")
    return problems


def _same_as_guessed(op: Operation, refs: dict[str, str], credential: str, kind: str, values: list[str],
                     world: AuthzWorld, who: str) -> list[str]:  # fmt: skip
    guessed = ask(op, refs | {kind: guess(kind, refs[kind])}, credential)
    problems = []
    for value in values:
        answer = ask(op, refs | {kind: value}, credential)
        where = f"{op.key} by {who} with a foreign {kind}"
        if (answer.status, answer.code) != (guessed.status, guessed.code):
            problems.append(f"{where}: {answer}, a guessed {kind} gets {guessed}")
        problems += [f"{where}: shows {text!r}" for text in leaked(answer.body, world, (value,))]
    return problems


def _check_foreign_ids(op: Operation, world: AuthzWorld) -> list[str]:
    """Own callers with the foreign merchant's ids, and its callers with the own ids, get what guesses get."""
    problems: list[str] = []
    kinds = [k for k in REF_KINDS if k in _uses(op)]
    if op.caller == TERMINAL:
        callers = [("the own terminal", world.own.world.a.key)]
    else:
        callers = [(p, world.tokens[p]) for p in _id_askers(op, world)]
    refs = _own_refs(world, world.own.store.code)
    for (who, credential), kind in itertools.product(callers, kinds):
        problems += _same_as_guessed(op, refs, credential, kind, world.foreign_values(kind), world, who)
    stranger = world.foreign.world.a.key if op.caller == TERMINAL else world.foreign_hq_token
    theirs = _own_refs(world, world.foreign.store.code)
    for kind in kinds:
        problems += _same_as_guessed(op, theirs, stranger, kind, [theirs[kind]], world, "the other merchant")
    return problems


def _id_askers(op: Operation, world: AuthzWorld) -> list[str]:
    """One staff member of each reach the operation lets in, and one it refuses: tools find the programme by the
    caller's merchant before they ask for the action, so these stand for every role."""
    picked: dict[object, str] = {}
    for principal in PRINCIPALS:
        if principal == PLATFORM:
            continue  # a platform admin's scope is everything: no id is foreign to them
        lets_in = _staff_may(principal, op, world)
        picked.setdefault((REACH[Role(principal)],) if lets_in else "refused", principal)
    return list(picked.values())


@pytest.fixture
def world():
    return authz_world_build()


@pytest.mark.parametrize("op", OPERATIONS, ids=[f"{op.method} {op.path}" for op in OPERATIONS])
def test_every_caller_gets_what_the_matrix_says_from_every_operation(world, op):
    problems = _check_foreign_ids(op, world) + _check_wrong_store(op, world) + _check_callers(op, world)
    problems += [f"{op.key}: the own answer shows {text!r}" for text in _own_answer_leaks(op, world)]
    assert not problems, "\n".join(problems)


def _own_answer_leaks(op: Operation, world: AuthzWorld) -> list[str]:
    credential = world.own.world.a.key if op.caller == TERMINAL else world.tokens["hq_admin"]
    return leaked(ask(op, _own_refs(world, world.own.store.code), credential).body, world)
