"""Reading members: lookup at the till, the profile, balances and the full ledger history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.db.models import QuerySet

from tessera.kit.cards import card_code_clean, card_number_clean
from tessera.kit.db import Read, columns_of, model_from_row, sql_reads
from tessera.kit.phone import InvalidPhone, phone_mask, phone_normalize
from tessera.ledger.models import AccountKind, Entry
from tessera.members.hooks import stored_value_usable
from tessera.members.models import Member, MemberCategoryStats, MemberStats
from tessera.programs.models import Program, ProgramMerchant


def members_visible_to_merchant(merchant_id: int) -> QuerySet[Member]:
    """Members of every programme the merchant's stores serve: what a till of that merchant may see."""
    return Member.objects.filter(program__participants__merchant_id=merchant_id)


def member_get_for_merchant(*, merchant_id: int, reference: str) -> Member | None:
    """Find by public id, card number or digital-card code, among members the merchant serves."""
    member: Member | None = sql_reads([member_get_for_merchant_read(merchant_id=merchant_id, reference=reference)])[0]
    return member


def member_get_for_merchant_read(*, merchant_id: int, reference: str) -> Read[Member | None] | None:
    """``member_get_for_merchant`` as a read to send with others; None when ``reference`` cannot name anyone."""
    ref = reference.strip()
    if ref.startswith("mbr_"):
        return _member_where(merchant_id, "public_id", ref)
    if (card := card_number_clean(ref)) is not None:
        return _member_where(merchant_id, "card_number", card)
    code = card_code_clean(ref)
    return _member_where(merchant_id, "card_code", code) if code else None


def _member_where(merchant_id: int, column: str, value: str) -> Read[Member | None]:
    # The till's hottest read: one statement with the programme joined, no ORM query building.
    return Read(
        f"SELECT {columns_of(Member, 'm')}, {columns_of(Program, 'p')} FROM {Member._meta.db_table} m"  # noqa: S608
        f" JOIN {Program._meta.db_table} p ON p.id = m.program_id"
        f" JOIN {ProgramMerchant._meta.db_table} pm ON pm.program_id = m.program_id"
        f" WHERE pm.merchant_id = %s AND m.{column} = %s",
        [merchant_id, value],
        _member_with_program,
    )


def _member_with_program(rows: list[tuple[Any, ...]]) -> Member | None:
    if not rows:
        return None
    member, program = (
        model_from_row(rows[0][: len(_MEMBER_FIELDS)], Member),
        model_from_row(rows[0][len(_MEMBER_FIELDS) :], Program),
    )
    member.program = program
    return member


_MEMBER_FIELDS = Member._meta.concrete_fields


def member_find(*, merchant_id: int, query: str) -> list[Member]:
    """What a cashier's search box finds: a card, a code, or a phone number in any programme served here."""
    found = member_get_for_merchant(merchant_id=merchant_id, reference=query)
    if found is not None:
        return [found]
    results: list[Member] = []
    for program in Program.objects.filter(participants__merchant_id=merchant_id).order_by("id"):
        try:
            phone = phone_normalize(query, default_region=program.phone_region)
        except InvalidPhone:
            continue
        results.extend(Member.objects.select_related("program").filter(program=program, phone=phone).order_by("-id"))
    return results


@dataclass(frozen=True, slots=True)
class Balances:
    currency: str
    points: int
    points_debt: int
    sv_principal_minor: int
    sv_bonus_minor: int
    # Spendable at the asking merchant's stores: less than the total only on an alliance card whose stored value
    # is not shared (a payment licence is needed); None where no merchant asked.
    sv_usable_here_minor: int | None = None

    @property
    def sv_total_minor(self) -> int:
        return self.sv_principal_minor + self.sv_bonus_minor

    @property
    def sv_not_usable_here_minor(self) -> int:
        return 0 if self.sv_usable_here_minor is None else self.sv_total_minor - self.sv_usable_here_minor

    def as_dict(self) -> dict[str, object]:
        stored_value: dict[str, object] = {
            "currency": self.currency,
            "principal_minor": self.sv_principal_minor,
            "bonus_minor": self.sv_bonus_minor,
            "total_minor": self.sv_total_minor,
        }
        if self.sv_usable_here_minor is not None:
            stored_value["usable_here_minor"] = self.sv_usable_here_minor
        return {"points": self.points, "points_owed": self.points_debt, "stored_value": stored_value}


def member_balances(*, member: Member, merchant_id: int | None = None) -> Balances:
    """The member's balances; with ``merchant_id``, also what of the stored value that merchant's stores may take."""
    rows = dict(member.accounts.values_list("kind", "balance"))
    principal = int(rows.get(AccountKind.MEMBER_SV_PRINCIPAL) or 0)
    bonus = int(rows.get(AccountKind.MEMBER_SV_BONUS) or 0)
    usable = None
    if merchant_id is not None:
        # One card of one chain: every store takes all of it, so only alliance cards ask the lots.
        across = member.program.alliance_id is None or not principal + bonus
        usable = principal + bonus if across else stored_value_usable(member, merchant_id)
    return Balances(
        currency=member.program.currency,
        points=int(rows.get(AccountKind.MEMBER_POINTS) or 0),
        points_debt=-int(rows.get(AccountKind.MEMBER_POINTS_DEBT) or 0),
        sv_principal_minor=principal,
        sv_bonus_minor=bonus,
        sv_usable_here_minor=usable,
    )


@dataclass(frozen=True, slots=True)
class HistoryLine:
    entry_id: int
    posting_id: str
    event_at: datetime
    created_at: datetime
    store_code: str
    store_name: str
    reason: str
    account_kind: str
    unit: str
    amount: int
    balance_after: int | None
    source_type: str
    source_id: str
    actor: str


def history_merchant_for(member: Member, viewer_merchant_id: int) -> int | None:
    """Whose transactions a viewer at ``viewer_merchant_id`` may see in the member's history: all (None) for the
    programme's owner and where the member consented to share with the alliance's partners; otherwise a partner
    sees only what happened at its own stores, never another partner's purchases (issue 5)."""
    if viewer_merchant_id == member.program.owner_id or member.partners_may_see_history_since is not None:
        return None
    return viewer_merchant_id


def _history_entries(member: Member, merchant_id: int | None) -> QuerySet[Entry]:
    entries = (
        Entry.objects.filter(account__member=member)
        .select_related("posting__store", "posting__staff", "posting__terminal", "account")
        .order_by("-id")
    )
    return entries if merchant_id is None else entries.filter(posting__store__merchant_id=merchant_id)


def member_history(
    *, member: Member, limit: int = 50, before_id: int | None = None, merchant_id: int | None = None
) -> list[HistoryLine]:
    """Every ledger entry on the member's accounts, newest first, with store, time and reason (with
    ``merchant_id``: only those posted at that merchant's stores, see ``history_merchant_for``)."""
    entries = _history_entries(member, merchant_id)
    if before_id is not None:
        entries = entries.filter(id__lt=before_id)
    return [_history_line(e) for e in entries[:limit]]


def _history_line(entry: Entry) -> HistoryLine:
    posting = entry.posting
    if posting.staff is not None:
        actor = posting.staff.get_username()
    elif posting.terminal is not None:
        actor = posting.terminal.name
    else:
        actor = posting.system
    return HistoryLine(
        entry_id=entry.id,
        posting_id=posting.public_id,
        event_at=posting.event_at,
        created_at=posting.created_at,
        store_code=posting.store.code,
        store_name=posting.store.name,
        reason=posting.reason,
        account_kind=entry.account.kind,
        unit=entry.unit,
        amount=entry.amount if entry.account.kind != AccountKind.MEMBER_POINTS_DEBT else -entry.amount,
        balance_after=_shown_balance(entry),
        source_type=posting.source_type,
        source_id=posting.source_id,
        actor=actor,
    )


def _shown_balance(entry: Entry) -> int | None:
    # Debt is kept as a negative balance (credit-normal); people read it as "points owed", a positive figure.
    if entry.balance_after is None or entry.account.kind != AccountKind.MEMBER_POINTS_DEBT:
        return entry.balance_after
    return -entry.balance_after


def member_summary(member: Member) -> dict[str, Any]:
    """What a till sees of a member: enough to serve them, with the phone masked."""
    return {
        "member_id": member.public_id,
        "program_id": member.program.public_id,
        "card_number": member.card_number,
        "name": member.name,
        "phone_masked": phone_mask(member.phone),
        "status": str(member.status),
        "locale": member.locale,
        "enrolled_at": member.enrolled_at.isoformat(),
    }


# ---------------------------------------------------------------- personal data, masked for staff


class PersonalField(StrEnum):
    """The personal fields staff see masked, and may reveal one at a time where their role allows it."""

    PHONE = "phone"
    EMAIL = "email"
    BIRTHDAY = "birthday"


BIRTHDAY_MASK = "****-**-**"


def email_mask(email: str) -> str:
    """Enough to confirm an address with the member, not to write to it: ``l***@example.com``."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


@dataclass(frozen=True, slots=True)
class PersonalMasked:
    """What every staff member sees of a member's personal data; empty strings where the member gave none."""

    phone: str
    email: str
    birthday: str


def member_personal_masked(member: Member) -> PersonalMasked:
    return PersonalMasked(
        phone=phone_mask(member.phone),
        email=email_mask(member.email) if member.email else "",
        birthday=BIRTHDAY_MASK if member.birthday else "",
    )


def member_personal_value(member: Member, field: PersonalField) -> str:
    """One personal field in full, for a reveal (which the caller audits); empty where the member gave none."""
    if field is PersonalField.PHONE:
        return member.phone
    if field is PersonalField.EMAIL:
        return member.email or ""
    return member.birthday.isoformat() if member.birthday else ""


# ---------------------------------------------------------------- staff console reads


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One history line and the time zone of the store where it happened, to show the till's local time."""

    line: HistoryLine
    store_timezone: str


@dataclass(frozen=True, slots=True)
class HistoryPage:
    rows: list[HistoryRow]
    next_before: int | None  # pass as ``before_id`` for the next (older) page; None on the last page


def member_history_page(
    *, member: Member, limit: int = 25, before_id: int | None = None, merchant_id: int | None = None
) -> HistoryPage:
    """One page of the member's ledger history, newest first, in a single query whatever the page size."""
    entries = _history_entries(member, merchant_id)
    if before_id is not None:
        entries = entries.filter(id__lt=before_id)
    # One extra row tells whether an older page exists without a COUNT over the member's whole history.
    found = list(entries[: limit + 1])
    rows = [HistoryRow(_history_line(e), e.posting.store.timezone) for e in found[:limit]]
    return HistoryPage(rows=rows, next_before=rows[-1].line.entry_id if len(found) > limit else None)


def member_stats_get(*, member: Member) -> MemberStats | None:
    return MemberStats.objects.filter(member=member).first()


def member_top_categories(*, member: Member, limit: int = 5) -> list[MemberCategoryStats]:
    """The member's categories by net spend, largest first."""
    return list(MemberCategoryStats.objects.filter(member=member).order_by("-spend_minor", "category")[:limit])
