"""The demo loads through the services, verifies, is idempotent, and sets up staff and keys as printed."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Q, QuerySet, Sum

from tessera.access.models import StaffUser
from tessera.access.rules import Action, scope_allows
from tessera.audit.models import AuditRecord
from tessera.checkout.models import Document, DocumentLine, Tender
from tessera.console.tests.helpers import console
from tessera.demo.accounts import KEY_LABEL, demo_password, terminal_keys
from tessera.demo.markets import CHAIN, SALON
from tessera.demo.partners import ALLIANCE_ADMIN_USERNAME, ALLIANCE_NAME, CAFE, FUEL, PARTNERS
from tessera.idempotency.models import IdempotencyRecord
from tessera.ledger.models import Entry, Posting
from tessera.ledger.verify import ledger_verify
from tessera.members.models import Member
from tessera.programs.models import Program, ProgramMerchant
from tessera.settlement.models import SettlementPeriod
from tessera.settlement.rules import period_bounds
from tessera.stores.models import Alliance, Merchant, Store, Terminal, TerminalKey
from tessera.stores.selectors import terminal_key_authenticate

MEMBERS = 60
SEED = 3  # a small year that has every kind of document, partial stored-value payments included
END = "2025-06-30T12:00:00+00:00"  # a fixed end makes the year, and so every assertion below, repeatable


def run_demo(keys_file: Path, *extra: str) -> str:
    out = StringIO()
    args = ["--no-serve", "--members", str(MEMBERS), "--seed", str(SEED), "--end", END, "--keys-file", str(keys_file)]
    call_command("demo", *args, *extra, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def keys_file(tmp_path: Path) -> Path:
    return tmp_path / "demo-keys"


@pytest.fixture
def loaded(db: Any, keys_file: Path) -> str:
    return run_demo(keys_file)


def row_counts() -> dict[str, int]:
    models = [Merchant, Store, Terminal, TerminalKey, StaffUser, Member, Document, DocumentLine, Posting, Entry]
    return {m.__name__: m.objects.count() for m in [*models, AuditRecord, IdempotencyRecord]}


class TestDemoLoad:
    def test_loads_members_and_a_year_of_documents_and_the_ledger_verifies(self, loaded: str) -> None:
        kinds = dict(Document.objects.order_by().values_list("kind").annotate(n=Count("id")))
        assert Member.objects.count() == MEMBERS
        assert kinds["sale"] >= MEMBERS  # every member joined with a purchase
        assert kinds.get("top_up", 0) > 0
        assert kinds.get("return", 0) > 0
        assert kinds.get("redemption", 0) > 0
        assert ledger_verify() == []
        assert "Loaded in" in loaded
        assert "Ledger verify: ok" in loaded

    def test_every_ended_month_is_settled_for_both_businesses(self, loaded: str) -> None:
        # The year ends on 30 June 2025: June is still open, every earlier month with postings is closed in order.
        for program in Program.objects.all():
            months = list(SettlementPeriod.objects.filter(program=program).values_list("year", "month"))
            assert months, f"{program} has no closed month"
            assert months[-1] == (2025, 5)
            assert len(months) == len(set(months))
            june = period_bounds(2025, 6, program.owner.timezone)[0]
            covered = sum(SettlementPeriod.objects.filter(program=program).values_list("postings", flat=True))
            assert covered == Posting.objects.filter(program=program, created_at__lt=june).count()

    def test_every_write_went_through_a_service(self, loaded: str) -> None:
        # A service writes a posting for every document and records its idempotency key and answer; rows
        # inserted any other way would have neither.
        documents = Document.objects.count()
        assert Posting.objects.count() == documents
        assert not Document.objects.filter(posting__isnull=True).exists()
        keys = IdempotencyRecord.objects.exclude(response__isnull=True, answer_document__isnull=True).count()
        assert keys == documents + MEMBERS  # each document, and each enrolment
        assert AuditRecord.objects.filter(action="member.enroll").count() == MEMBERS

    def test_history_spans_a_year_in_till_time_with_recorded_time_after_it(self, loaded: str) -> None:
        first = Document.objects.order_by("event_at").first()
        last = Document.objects.order_by("-event_at").first()
        assert first is not None
        assert last is not None
        assert (last.event_at - first.event_at).days > 200
        assert not Document.objects.filter(created_at__lt=F("event_at")).exists()

    def test_both_currencies_with_krw_in_whole_won(self, loaded: str) -> None:
        assert set(Program.objects.values_list("currency", flat=True)) == {"CNY", "KRW"}
        krw_lines = DocumentLine.objects.filter(document__currency="KRW")
        assert krw_lines.exists()
        # KRW has no minor unit: 33,000 won is stored as 33000, never as 3300000.
        assert not krw_lines.filter(Q(unit_price_minor__lt=1_000) | Q(unit_price_minor__gt=1_000_000)).exists()
        assert all(p % 100 == 0 for p in krw_lines.values_list("unit_price_minor", flat=True))
        cny_prices = DocumentLine.objects.filter(document__currency="CNY").values_list("unit_price_minor", flat=True)
        assert all(p % 100 == 0 for p in cny_prices)  # whole yuan, in fen

    def test_points_follow_each_programme_rate(self, loaded: str) -> None:
        for market in (CHAIN, SALON):
            program = Program.objects.get(name=market.programme_name)
            # At its own stores: the chain's alliance partners give their own earn rates (TestDemoAlliance).
            sales = Document.objects.filter(kind="sale", program=program, store__merchant__name=market.merchant)
            doubled = 0
            for sale in sales.prefetch_related("tenders")[:300]:
                paid_from_wallet = sum(t.amount_minor for t in sale.tenders.all() if t.kind == Tender.Kind.STORED_VALUE)
                eligible = sale.total_minor - (0 if market.earn_on_stored_value else paid_from_wallet)
                base = eligible // program.earn_per_minor
                # The chain runs the double-points days template (Wednesdays and the 8th); the salon a flat rate.
                day = sale.event_at.astimezone(ZoneInfo(program.timezone)).date()
                double = market.templates and (day.isoweekday() == 3 or day.day == 8)
                assert sale.points == (2 * eligible // program.earn_per_minor if double else base), sale.pos_number
                doubled += bool(double and base)
            assert doubled > 0 if market.templates else doubled == 0

    def test_some_members_pay_partly_from_stored_value(self, loaded: str) -> None:
        mixed = Document.objects.filter(kind="sale").annotate(n=Count("tenders")).filter(n=2)
        assert mixed.filter(tenders__kind=Tender.Kind.STORED_VALUE).exists()
        total = Document.objects.filter(kind="top_up").aggregate(bonus=Sum("sv_bonus_minor"))
        assert (total["bonus"] or 0) > 0  # the top-up bands granted bonus

    def test_members_hold_coupons_to_try_in_their_language(self, loaded: str) -> None:
        from tessera.coupons.models import Coupon, CouponTemplateTranslation

        assert Coupon.objects.filter(state="issued").count() > MEMBERS // 3
        names = set(CouponTemplateTranslation.objects.filter(language_code="ko").values_list("name", flat=True))
        assert "포인트 2배" in names

    def test_running_it_twice_adds_nothing(self, loaded: str, keys_file: Path) -> None:
        before = row_counts()
        again = run_demo(keys_file)
        assert row_counts() == before
        assert "not loaded again" in again
        assert ledger_verify() == []


class TestDemoStaff:
    def test_each_merchant_has_an_admin_and_a_manager_and_cashier_per_store(self, loaded: str) -> None:
        for market in (CHAIN, SALON):
            merchant = Merchant.objects.get(name=market.merchant)
            admin = StaffUser.objects.get(username=f"{market.slug}.admin")
            assert (admin.role, admin.merchant_id, admin.stores.count()) == ("hq_admin", merchant.id, 0)
            for spec in market.stores:
                store = Store.objects.get(merchant=merchant, code=spec.code)
                for role in ("store_manager", "cashier"):
                    user = StaffUser.objects.get(username=f"{spec.code.lower()}.{role.split('_')[-1]}")
                    assert user.role == role
                    assert list(user.stores.all()) == [store]

    def test_a_cashier_acts_at_their_store_only(self, loaded: str) -> None:
        cashier = StaffUser.objects.get(username="sh01.cashier")
        sh01, sh02 = Store.objects.get(code="SH01"), Store.objects.get(code="SH02")
        gangnam = Store.objects.get(code="GN01")
        scope = cashier.scope()
        assert scope_allows(scope, Action.SALE, store_id=sh01.id, store_merchant_id=sh01.merchant_id)
        assert not scope_allows(scope, Action.SALE, store_id=sh02.id, store_merchant_id=sh02.merchant_id)
        assert not scope_allows(scope, Action.SALE, store_id=gangnam.id, store_merchant_id=gangnam.merchant_id)
        admin = StaffUser.objects.get(username="yunshang.admin").scope()
        assert scope_allows(admin, Action.STORE_REPORT, store_id=sh02.id, store_merchant_id=sh02.merchant_id)
        assert not scope_allows(admin, Action.STORE_REPORT, store_id=gangnam.id, store_merchant_id=gangnam.merchant_id)

    def test_the_printed_password_signs_in_and_passes_the_validators(self, loaded: str) -> None:
        password = demo_password()
        assert len(password) >= 12
        assert password in loaded
        for user in StaffUser.objects.filter(is_superuser=False):
            assert user.check_password(password)
            validate_password(password, user)
        assert "sh01.cashier" in loaded
        assert "store_manager" in loaded


class TestDemoAlliance:
    """The clothing chain's card is an alliance's: a café and a fuel station take it, each with its own benefits.

    One test, so one demo load (a few seconds each) serves the world, the accounts and the console alike.
    """

    def test_the_chain_shares_its_card_settles_with_its_partners_and_each_sees_its_own(self, loaded: str) -> None:
        # One loaded demo for the whole alliance story, told in the five steps below.
        chain = Program.objects.get(name=CHAIN.programme_name)
        alliance_terms_are_the_seeds(chain)
        closed_months_move_points_between_merchants(chain)
        each_partner_has_its_staff(chain, loaded)
        the_alliance_administrator_reads_a_closed_month(chain)
        a_partner_cashier_sees_its_own_unless_the_member_consented(chain)


def alliance_terms_are_the_seeds(chain: Program) -> None:
    alliance = Alliance.objects.get(id=chain.alliance_id)
    assert (alliance.name, alliance.operator.name, alliance.commission_bp) == (ALLIANCE_NAME, CHAIN.merchant, 1_000)
    assert (alliance.stored_value_shared, alliance.points_shared) == (False, True)
    terms = ProgramMerchant.objects.filter(program=chain).values_list(
        "merchant__name", "role", "discount_bp", "earn_points", "earn_per_minor"
    )
    assert set(terms) == {
        (CHAIN.merchant, "owner", None, None, None),
        (CAFE.merchant, "partner", 1_000, 2, 100),
        (FUEL.merchant, "partner", 0, 1, 200),
    }
    partner_codes = {spec.code for partner in PARTNERS for spec in partner.stores}
    with_terminals = Terminal.objects.filter(store__merchant__name__in=[p.merchant for p in PARTNERS])
    assert set(with_terminals.values_list("store__code", flat=True)) == partner_codes
    at_partners = Document.objects.filter(program=chain, store__code__in=partner_codes)
    assert {"sale", "top_up", "redemption"} <= set(at_partners.values_list("kind", flat=True))


def closed_months_move_points_between_merchants(chain: Program) -> None:
    # Some months were closed with points moving between merchants: statements and transfers with figures.
    busy = [
        period
        for period in SettlementPeriod.objects.filter(program=chain).prefetch_related("merchant_statements")
        if any(s.owed_to_minor for s in period.merchant_statements.all())
    ]
    assert busy
    for period in busy:
        statements = list(period.merchant_statements.select_related("merchant"))
        assert {s.merchant.name for s in statements} == {CHAIN.merchant, CAFE.merchant, FUEL.merchant}
        assert sum(s.net_minor for s in statements) == 0
        assert period.merchant_transfers.filter(amount_minor__gt=0).exists()
        assert sum(s.commission_earned_minor for s in statements if s.merchant.name == CHAIN.merchant) > 0
    consented = Member.objects.filter(program=chain, partners_may_see_history_since__isnull=False).count()
    assert 0 < consented < Member.objects.filter(program=chain).count() / 4
    assert AuditRecord.objects.filter(action="member.history_sharing").count() == consented


def each_partner_has_its_staff(chain: Program, loaded: str) -> None:
    # Each partner has its operations centre and a cashier per store; the alliance its administrator.
    for partner in PARTNERS:
        admin = StaffUser.objects.get(username=f"{partner.slug}.admin")
        assert (admin.role, admin.merchant.name, admin.stores.count()) == ("hq_admin", partner.merchant, 0)
        for spec in partner.stores:
            cashier = StaffUser.objects.get(username=f"{spec.code.lower()}.cashier")
            assert (cashier.role, [s.code for s in cashier.stores.all()]) == ("cashier", [spec.code])
            assert cashier.username in loaded
        assert admin.username in loaded
    admin = StaffUser.objects.get(username=ALLIANCE_ADMIN_USERNAME)
    assert (admin.role, admin.merchant.name, admin.alliance_id) == (
        "alliance_admin",
        CHAIN.merchant,
        chain.alliance_id,
    )
    assert ALLIANCE_ADMIN_USERNAME in loaded


def the_alliance_administrator_reads_a_closed_month(chain: Program) -> None:
    # The alliance administrator lands on the alliance's pages and reads a closed month.
    admin = StaffUser.objects.get(username=ALLIANCE_ADMIN_USERNAME)
    console_of_alliance = console(admin, None)
    overview = console_of_alliance.get("/settlement/alliances/", follow=True)
    assert overview.status_code == 200
    assert all(name in overview.content.decode() for name in (ALLIANCE_NAME, CAFE.merchant, FUEL.merchant))
    last = SettlementPeriod.objects.filter(program=chain).order_by("year", "month").last()
    assert last is not None
    alliance_id = Alliance.objects.get(id=chain.alliance_id).public_id
    month = console_of_alliance.get(f"/settlement/alliances/{alliance_id}/{last.year}-{last.month:02d}/")
    assert month.status_code == 200


def a_partner_cashier_sees_its_own_unless_the_member_consented(chain: Program) -> None:
    # A partner's cashier sees only what happened at its merchant's stores, unless the member consented.
    entries = Entry.objects.filter(account__member__program=chain).order_by("-id")
    member, store = private_customer(entries)
    cashier = console(StaffUser.objects.get(username=f"{store.code.lower()}.cashier"), store)
    seen = [item.row.line.entry_id for item in cashier.get(f"/members/{member.public_id}/").context["history"]]
    mine = entries.filter(account__member=member, posting__store__merchant=store.merchant)
    assert seen == list(mine.values_list("id", flat=True)[:25])
    sharing = Member.objects.filter(program=chain, partners_may_see_history_since__isnull=False).first()
    assert sharing is not None
    seen = [item.row.line.entry_id for item in cashier.get(f"/members/{sharing.public_id}/").context["history"]]
    assert seen == list(entries.filter(account__member=sharing).values_list("id", flat=True)[:25])


def private_customer(entries: QuerySet[Entry]) -> tuple[Member, Store]:
    """A member who did not consent to sharing, and a partner store of theirs, whose latest history (the member
    page's first 25 lines) holds lines of that partner's and of another merchant's."""
    partners = [p.merchant for p in PARTNERS]
    private = entries.filter(posting__store__merchant__name__in=partners,
                             account__member__partners_may_see_history_since__isnull=True)  # fmt: skip
    for member_id, store_id in private.values_list("account__member_id", "posting__store_id").distinct():
        store = Store.objects.get(id=store_id)
        latest = entries.filter(account__member_id=member_id).values_list("posting__store__merchant_id", flat=True)
        if len(set(latest[:25])) > 1:
            return Member.objects.get(id=member_id), store
    raise AssertionError("no partner customer with history at two merchants")


class TestDemoKeys:
    def test_one_working_key_per_store_terminal_printed_and_reused(self, loaded: str, keys_file: Path) -> None:
        rows = terminal_keys(path=keys_file)
        assert len(rows) == len(CHAIN.stores) + len(SALON.stores) + sum(len(p.stores) for p in PARTNERS)
        for row in rows:
            assert row.key in loaded
            assert terminal_key_authenticate(row.key).store.code == row.store_code
        assert keys_file.stat().st_mode & 0o077 == 0
        assert terminal_keys(path=keys_file) == rows

    def test_a_lost_keys_file_revokes_the_old_keys_and_issues_new_ones(self, loaded: str, keys_file: Path) -> None:
        old = terminal_keys(path=keys_file)
        keys_file.unlink()
        new = terminal_keys(path=keys_file)
        assert {r.key for r in old}.isdisjoint({r.key for r in new})
        active = TerminalKey.objects.filter(label=KEY_LABEL, revoked_at__isnull=True)
        assert active.count() == len(new)


@pytest.mark.django_db
def test_members_out_of_range_is_refused(keys_file: Path) -> None:
    with pytest.raises(CommandError, match="--members"):
        call_command("demo", "--no-serve", "--members", "0", "--keys-file", str(keys_file), stdout=StringIO())


def test_the_chain_runs_its_templates_tiers_and_gift_ladder(loaded: str) -> None:
    from tessera.rewards.models import RewardGrant
    from tessera.tiers.models import MemberTier, Tier

    chain = Program.objects.get(name=CHAIN.programme_name)
    # The diamonds take 10,000 points a year and up: a 60-member demo year holds the card only, but the ladder
    # the template wrote has all five rungs, and every member who bought 128 or more holds the card.
    codes = list(Tier.objects.filter(ladder__program=chain).order_by("rank").values_list("code", flat=True))
    assert len(codes) == 5, codes
    assert codes[0] == "card", codes
    places = dict(MemberTier.objects.filter(member__program=chain).values_list("tier__code").annotate(n=Count("id")))
    assert places.get("card", 0) > 0, places
    assert RewardGrant.objects.filter(program=chain).exists()


def test_members_are_scored_profiled_tagged_and_segmented(loaded: str) -> None:
    from tessera.analytics.models import RfmRun
    from tessera.analytics.rules import Segment as Segment_
    from tessera.analytics.selectors import rfm_member_ids
    from tessera.crm.models import MemberTag, Profile
    from tessera.members.models import MemberCategoryStats
    from tessera.segments.models import Segment, SegmentMember

    chain = Program.objects.get(name=CHAIN.programme_name)
    salon = Program.objects.get(name=SALON.programme_name)
    for program in (chain, salon):
        assert RfmRun.objects.filter(program=program).count() == 1
        assert Profile.objects.filter(member__program=program).exists()
        assert MemberTag.objects.filter(member__program=program).exists()
        assert Segment.objects.filter(program=program, is_smart_tag=True).count() == 2
    # Sensitive attributes only where the member gave separate consent (audited with it).
    sensitive = Profile.objects.exclude(income_band="").values_list("member__public_id", flat=True)
    consented = AuditRecord.objects.filter(action="member.profile_update", details__separate_consent=True)
    assert set(sensitive) <= set(consented.values_list("object_id", flat=True))
    # The kids' wear smart tag holds exactly the chain's members with three or more kids' wear purchases.
    kids = Segment.objects.get(program=chain, name="童装常客")
    fans = MemberCategoryStats.objects.filter(member__program=chain, category="童装", purchase_count__gte=3)
    held = SegmentMember.objects.filter(segment=kids).values_list("member_id", flat=True)
    assert set(held) == set(fans.values_list("member_id", flat=True))
    # And the win-back list holds the latest run's "can't lose them" and "at risk" members, who exist here.
    win_back = Segment.objects.get(program=chain, name="需要唤回的高价值会员")
    run = RfmRun.objects.get(program=chain)
    wanted = set(rfm_member_ids(run=run, segment__in=[Segment_.CANT_LOSE, Segment_.AT_RISK]))
    assert wanted
    assert set(SegmentMember.objects.filter(segment=win_back).values_list("member_id", flat=True)) == wanted
