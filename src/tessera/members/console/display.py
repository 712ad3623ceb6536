"""How member data reads in the console: translated labels for ledger reasons and accounts, and the QR card."""

from __future__ import annotations

from dataclasses import dataclass

import segno
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from tessera.ledger.models import AccountKind
from tessera.members.models import Member
from tessera.members.selectors import (
    HistoryLine,
    HistoryPage,
    HistoryRow,
    PersonalField,
    member_personal_masked,
)

REASONS = {
    "sale": _("Sale"),
    "return": _("Return"),
    "top_up": _("Top-up"),
    "redemption": _("Points redemption"),
}

# Closing is a separate action (member.close), offered beside these where the role allows it.
STATUS_ACTIONS = {
    Member.Status.ACTIVE: [(Member.Status.FROZEN, _("Freeze"))],
    Member.Status.FROZEN: [(Member.Status.ACTIVE, _("Unfreeze"))],
    Member.Status.CLOSED: [],
}

STATUS_DONE = {
    Member.Status.ACTIVE: _("The membership is active again."),
    Member.Status.FROZEN: _("The membership was frozen. It cannot earn, spend or top up until it is unfrozen."),
    Member.Status.CLOSED: _("The membership was closed."),
}


@dataclass(frozen=True, slots=True)
class HistoryItem:
    row: HistoryRow
    reason: str
    account: str

    @property
    def line(self) -> HistoryLine:
        return self.row.line


def history_items(page: HistoryPage) -> list[HistoryItem]:
    return [
        HistoryItem(
            row=row,
            reason=str(REASONS.get(row.line.reason, row.line.reason)),
            account=str(AccountKind(row.line.account_kind).label)
            if row.line.account_kind in AccountKind.values
            else row.line.account_kind,
        )
        for row in page.rows
    ]


PERSONAL_LABELS = {
    PersonalField.PHONE: _("Phone"),
    PersonalField.EMAIL: _("E-mail"),
    PersonalField.BIRTHDAY: _("Birthday"),
}


@dataclass(frozen=True, slots=True)
class PersonalRow:
    """One personal field on the member page: masked, or in full right after an audited reveal."""

    field: str
    label: str
    value: str
    revealed: bool


def personal_row(member: Member, field: PersonalField, revealed: str | None = None) -> PersonalRow | None:
    """The row for ``field``, or None where the member gave no value; ``revealed`` is the full value to show."""
    masked = getattr(member_personal_masked(member), field.value)
    if not masked:
        return None
    shown = masked if revealed is None else revealed
    return PersonalRow(field=field.value, label=str(PERSONAL_LABELS[field]), value=shown, revealed=revealed is not None)


def personal_rows(member: Member, revealed: dict[PersonalField, str] | None = None) -> list[PersonalRow]:
    revealed = revealed or {}
    rows = [personal_row(member, field, revealed.get(field)) for field in PersonalField]
    return [row for row in rows if row is not None]


def qr_svg(payload: str) -> SafeString:
    """The digital card as an inline SVG QR code (segno output: our own payload, no user markup)."""
    code = segno.make(payload, error="m")
    return mark_safe(code.svg_inline(scale=4, border=2, dark="#1d2430", omitsize=True))  # noqa: S308
