"""The permission matrix and scopes, tested without a database: one test per cell of the matrix.

``GRANTED`` restates the matrix by hand, apart from the code that defines it, so a change to ``rules.py`` that
moves any cell fails here until this table (and docs/permissions.md) say the same.
"""

from __future__ import annotations

import pytest

from tessera.access.rules import (
    ADMIN_ROLES,
    PERMISSIONS,
    REACH,
    TERMINAL_ACTIONS,
    Action,
    Reach,
    Role,
    Scope,
    may_use_admin,
    role_allows,
    scope_allows,
    scope_allows_alliance,
    scope_allows_merchant,
    scope_covers_alliance,
    scope_covers_merchant,
    scope_covers_store,
)

A = Action
TILL = {A.SALE, A.RETURN, A.TOP_UP, A.TOP_UP_REFUND, A.POINTS_REDEEM}
MEMBER_CARE = {A.MEMBER_VIEW, A.MEMBER_UPDATE, A.MEMBER_STATUS, A.MEMBER_REVEAL, A.MEMBER_CARD_CODE}
GRANTED: dict[Role | str, set[Action]] = {
    Role.CASHIER: {A.MEMBER_VIEW, A.MEMBER_ENROLL, A.MEMBER_UPDATE, *TILL},
    Role.CUSTOMER_SERVICE: MEMBER_CARE,
    Role.STORE_MANAGER: {
        *MEMBER_CARE, A.MEMBER_ENROLL, A.MEMBER_CLOSE, *TILL, A.STORE_REPORT, A.TERMINAL_MANAGE, A.REPORT_VIEW,
        A.SETTLEMENT_VIEW,
    },
    Role.HQ_ADMIN: {
        *MEMBER_CARE, A.MEMBER_ENROLL, A.MEMBER_CLOSE, *TILL, A.STORE_REPORT, A.TERMINAL_MANAGE, A.REPORT_VIEW,
        A.SETTLEMENT_VIEW, A.PROGRAM_CONFIGURE, A.SETTLEMENT_CLOSE, A.SETTLEMENT_ADJUST, A.SEGMENT_MANAGE,
        A.SEGMENT_EXPORT,
    },
    Role.ALLIANCE_ADMIN: {A.REPORT_VIEW, A.SETTLEMENT_VIEW},
    Role.AUDITOR: {A.MEMBER_VIEW, A.STORE_REPORT, A.REPORT_VIEW, A.SETTLEMENT_VIEW},
    "terminal": {A.MEMBER_VIEW, A.MEMBER_ENROLL, A.MEMBER_UPDATE, *TILL},
}  # fmt: skip

CELLS = [(role, action) for role in Role for action in Action]

MERCHANT, OTHER_MERCHANT, OWN_STORE, OTHER_STORE, FOREIGN_STORE, ALLIANCE = 1, 2, 10, 11, 20, 7


def scope_of(role: Role, **over: object) -> Scope:
    fields: dict[str, object] = {"role": role, "merchant_id": MERCHANT, "store_ids": frozenset({OWN_STORE})}
    return Scope(**(fields | over))


@pytest.mark.parametrize(("role", "action"), CELLS, ids=[f"{r}-{a}" for r, a in CELLS])
def test_each_cell_of_the_matrix(role, action):
    assert role_allows(role, action) is (action in GRANTED[role])


@pytest.mark.parametrize("action", list(Action), ids=str)
def test_each_terminal_cell(action):
    assert (action in TERMINAL_ACTIONS) is (action in GRANTED["terminal"])


def test_every_role_has_a_row_and_a_reach():
    assert set(PERMISSIONS) == set(Role) == set(REACH)


def test_auditors_never_write_and_never_reveal():
    reads = {A.MEMBER_VIEW, A.STORE_REPORT, A.REPORT_VIEW, A.SETTLEMENT_VIEW}
    assert PERMISSIONS[Role.AUDITOR] <= reads


def test_customer_service_never_moves_money():
    assert not PERMISSIONS[Role.CUSTOMER_SERVICE] & TILL


def test_only_the_operations_centre_closes_or_adjusts_a_settlement():
    for action in (A.SETTLEMENT_CLOSE, A.SETTLEMENT_ADJUST):
        assert [role for role in Role if role_allows(role, action)] == [Role.HQ_ADMIN]


class TestStoreScope:
    @pytest.mark.parametrize("role", [Role.CASHIER, Role.STORE_MANAGER])
    def test_store_roles_act_at_their_own_stores_only(self, role):
        scope = scope_of(role)
        assert scope_covers_store(scope, store_id=OWN_STORE, store_merchant_id=MERCHANT)
        assert not scope_covers_store(scope, store_id=OTHER_STORE, store_merchant_id=MERCHANT)

    @pytest.mark.parametrize("role", [Role.CUSTOMER_SERVICE, Role.HQ_ADMIN, Role.AUDITOR])
    def test_merchant_roles_cover_every_store_of_their_merchant_only(self, role):
        scope = scope_of(role, store_ids=frozenset())
        assert scope_covers_store(scope, store_id=OTHER_STORE, store_merchant_id=MERCHANT)
        assert not scope_covers_store(scope, store_id=FOREIGN_STORE, store_merchant_id=OTHER_MERCHANT)

    @pytest.mark.parametrize("role", list(Role))
    def test_a_store_listed_for_another_merchant_is_not_covered(self, role):
        scope = scope_of(role, store_ids=frozenset({FOREIGN_STORE}))
        assert not scope_covers_store(scope, store_id=FOREIGN_STORE, store_merchant_id=OTHER_MERCHANT)

    def test_alliance_admins_act_at_no_store_even_of_their_own_merchant(self):
        scope = scope_of(Role.ALLIANCE_ADMIN, alliance_id=ALLIANCE)
        assert not scope_covers_store(scope, store_id=OWN_STORE, store_merchant_id=MERCHANT)

    def test_a_cashier_sells_at_their_store_but_not_at_the_next(self):
        scope = scope_of(Role.CASHIER)
        assert scope_allows(scope, A.SALE, store_id=OWN_STORE, store_merchant_id=MERCHANT)
        assert not scope_allows(scope, A.SALE, store_id=OTHER_STORE, store_merchant_id=MERCHANT)
        assert not scope_allows(scope, A.STORE_REPORT, store_id=OWN_STORE, store_merchant_id=MERCHANT)

    def test_a_manager_sees_the_statement_of_their_store_not_others(self):
        scope = scope_of(Role.STORE_MANAGER)
        assert scope_allows(scope, A.SETTLEMENT_VIEW, store_id=OWN_STORE, store_merchant_id=MERCHANT)
        assert not scope_allows(scope, A.SETTLEMENT_VIEW, store_id=OTHER_STORE, store_merchant_id=MERCHANT)


class TestMerchantAndAllianceScope:
    @pytest.mark.parametrize("role", list(Role))
    def test_only_merchant_roles_cover_the_merchant_as_a_whole(self, role):
        covered = scope_covers_merchant(scope_of(role), merchant_id=MERCHANT)
        assert covered is (REACH[role] is Reach.MERCHANT)
        assert not scope_covers_merchant(scope_of(role), merchant_id=OTHER_MERCHANT)

    def test_the_operations_centre_closes_its_merchants_period_not_anothers(self):
        scope = scope_of(Role.HQ_ADMIN)
        assert scope_allows_merchant(scope, A.SETTLEMENT_CLOSE, merchant_id=MERCHANT)
        assert not scope_allows_merchant(scope, A.SETTLEMENT_CLOSE, merchant_id=OTHER_MERCHANT)
        assert not scope_allows_merchant(scope_of(Role.AUDITOR), A.SETTLEMENT_CLOSE, merchant_id=MERCHANT)

    def test_an_alliance_admin_reads_their_alliance_statements_only(self):
        scope = scope_of(Role.ALLIANCE_ADMIN, alliance_id=ALLIANCE)
        assert scope_allows_alliance(scope, A.SETTLEMENT_VIEW, alliance_id=ALLIANCE)
        assert not scope_allows_alliance(scope, A.SETTLEMENT_VIEW, alliance_id=ALLIANCE + 1)
        assert not scope_allows_alliance(scope, A.SETTLEMENT_CLOSE, alliance_id=ALLIANCE)

    def test_an_alliance_admin_without_an_alliance_is_in_scope_nowhere(self):
        scope = scope_of(Role.ALLIANCE_ADMIN)
        assert not scope_covers_alliance(scope, alliance_id=ALLIANCE)
        assert not scope_covers_merchant(scope, merchant_id=MERCHANT)

    @pytest.mark.parametrize("role", [r for r in Role if r is not Role.ALLIANCE_ADMIN])
    def test_no_other_role_covers_an_alliance(self, role):
        assert not scope_covers_alliance(scope_of(role, alliance_id=ALLIANCE), alliance_id=ALLIANCE)


class TestPlatformAdmins:
    PLATFORM = Scope(role=Role.CASHIER, merchant_id=None, store_ids=frozenset(), is_platform_admin=True)

    @pytest.mark.parametrize("action", list(Action), ids=str)
    def test_platform_admins_may_do_everything_everywhere(self, action):
        assert scope_allows(self.PLATFORM, action, store_id=FOREIGN_STORE, store_merchant_id=OTHER_MERCHANT)
        assert scope_allows_merchant(self.PLATFORM, action, merchant_id=OTHER_MERCHANT)
        assert scope_allows_alliance(self.PLATFORM, action, alliance_id=ALLIANCE)


class TestAdmin:
    def test_only_the_operations_centre_and_platform_admins_use_the_django_admin(self):
        assert set(ADMIN_ROLES) == {Role.HQ_ADMIN}
        assert [r for r in Role if may_use_admin(r, is_platform_admin=False)] == [Role.HQ_ADMIN]
        assert all(may_use_admin(r, is_platform_admin=True) for r in Role)
