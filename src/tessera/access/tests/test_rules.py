"""The permission matrix and scopes, tested without a database."""

from __future__ import annotations

from tessera.access.rules import Action, Role, Scope, scope_allows, scope_covers_store

CASHIER_A = Scope(role=Role.CASHIER, merchant_id=1, store_ids=frozenset({10}))
MANAGER_A = Scope(role=Role.STORE_MANAGER, merchant_id=1, store_ids=frozenset({10}))
HQ = Scope(role=Role.HQ_ADMIN, merchant_id=1, store_ids=frozenset())


def test_cashier_serves_at_their_own_store_only():
    assert scope_allows(CASHIER_A, Action.SALE, store_id=10, store_merchant_id=1)
    assert not scope_allows(CASHIER_A, Action.SALE, store_id=11, store_merchant_id=1)
    assert not scope_allows(CASHIER_A, Action.STORE_REPORT, store_id=10, store_merchant_id=1)


def test_manager_sees_reports_of_their_store_not_others():
    assert scope_allows(MANAGER_A, Action.STORE_REPORT, store_id=10, store_merchant_id=1)
    assert not scope_allows(MANAGER_A, Action.STORE_REPORT, store_id=11, store_merchant_id=1)


def test_headquarters_covers_every_store_of_its_merchant_only():
    assert scope_covers_store(HQ, store_id=99, store_merchant_id=1)
    assert not scope_covers_store(HQ, store_id=99, store_merchant_id=2)
