"""Whose history each imported invoice is: members found by the previous system's id, card or phone, and the
members an import creates (``--create-members``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from tessera.checkout.imports.columns import ColumnMap
from tessera.checkout.imports.invoices import Invoice
from tessera.checkout.imports.rows import CustomerKey, RowError
from tessera.kit.cards import card_number_clean
from tessera.kit.db import sql_in, sql_rows
from tessera.kit.phone import InvalidPhone, phone_normalize
from tessera.members.models import Member
from tessera.members.services import ImportedPerson
from tessera.programs.models import Program

CHUNK = 1000


@dataclass
class MemberPlan:
    """Each customer key's member: an existing member's id, or an index into ``new`` (created when written)."""

    existing: dict[CustomerKey, int] = field(default_factory=dict)
    planned: dict[CustomerKey, int] = field(default_factory=dict)
    new: list[ImportedPerson] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def matched(self) -> int:
        return len(set(self.existing.values()))

    def member_ids(self, created: Sequence[int]) -> dict[CustomerKey, int]:
        """Every key's member id, once the new members are ``created`` (their ids in the order of ``new``)."""
        return {**self.existing, **{key: created[i] for key, i in self.planned.items()}}


def members_plan(*, program: Program, invoices: Sequence[Invoice], columns: ColumnMap, create: bool) -> MemberPlan:
    """Find the member of every invoice's customer; plan new members for the others when ``create``, or report
    each of their rows. Precedence: the previous system's id, then the card number, then the phone."""
    plan = MemberPlan()
    by_key: dict[CustomerKey, list[Invoice]] = {}
    for invoice in invoices:
        by_key.setdefault(invoice.customer, []).append(invoice)
    phones = {key: _phone(key.phone, program.phone_region) for key in by_key if key.phone}
    found = _members_find(program, by_key, phones)
    taken_phones: dict[str, str] = {}  # phone -> the customer planned with it
    identities: dict[str, int] = {}  # a new member's previous-system id (or phone) -> its index in plan.new
    for key, its_invoices in by_key.items():
        member_id = next((found[k] for k in (("ref", key.ref), ("card", key.card), ("phone", phones.get(key)))
                          if k in found), None)  # fmt: skip
        if member_id is not None:
            plan.existing[key] = member_id
            continue
        problem = _why_not_created(key, phones, taken_phones, create)
        if problem is not None:
            plan.errors += _errors(its_invoices, columns, problem)
            continue
        # Rows of one customer may differ in what else they give (a phone on some rows only): one member each.
        phone = phones.get(key) or ""
        identity = key.ref or phone
        if identity not in identities:
            if phone:
                taken_phones[phone] = key.label()
            name = next((i.customer_name for i in its_invoices if i.customer_name), "")
            identities[identity] = len(plan.new)
            plan.new.append(ImportedPerson(key.ref, phone, name or _("Customer %(ref)s") % {"ref": key.label()}))
        plan.planned[key] = identities[identity]
    return plan


def _phone(raw: str, region: str) -> str | None:
    """The phone normalised as enrolment does it; None when it is not a valid number."""
    try:
        return phone_normalize(raw, default_region=region)
    except InvalidPhone:
        return None


def _why_not_created(
    key: CustomerKey, phones: dict[CustomerKey, str | None], taken: dict[str, str], create: bool
) -> tuple[str, str] | None:
    """(field, message) saying why no member can be made for ``key``; None if one can."""
    if key.phone and phones.get(key) is None:
        return "phone", _("%(phone)s is not a valid phone number") % {"phone": key.phone}
    if not create:
        return _key_field(key), _("no member of the programme is %(customer)s; --create-members creates one") % {
            "customer": key.label()
        }
    if not key.ref and not phones.get(key):
        return "card", _("no member has the card number %(card)s") % {"card": key.card}
    phone = phones.get(key)
    if phone and phone in taken and taken[phone] != key.label():
        return "phone", _("customers %(first)s and %(second)s have the same phone number") % {
            "first": taken[phone], "second": key.label(),
        }  # fmt: skip
    return None


def _key_field(key: CustomerKey) -> str:
    return "customer" if key.ref else "card" if key.card else "phone"


def _errors(invoices: Iterable[Invoice], columns: ColumnMap, problem: tuple[str, str]) -> Iterator[RowError]:
    field_, message = problem
    column = columns.header(field_) if field_ in columns.index else ""
    for invoice in invoices:
        for line in invoice.lines:
            yield RowError(line.row, column, message)


def _members_find(
    program: Program, keys: Iterable[CustomerKey], phones: dict[CustomerKey, str | None]
) -> dict[tuple[str, str | None], int]:
    """Existing members by ("ref", id), ("card", number) and ("phone", E.164), in chunked IN queries."""
    keys = list(keys)
    refs = sorted({k.ref for k in keys if k.ref})
    cards = sorted({c for k in keys if k.card and (c := card_number_clean(k.card))})
    numbers = sorted({p for p in phones.values() if p})
    found: dict[tuple[str, str | None], int] = {}
    for kind, column, values in (("ref", "external_ref", refs), ("card", "card_number", cards),
                                 ("phone", "phone", numbers)):  # fmt: skip
        # A closed membership frees its phone number (the constraint), so phones find live members only.
        live = " AND status <> 'closed'" if kind == "phone" else ""
        for chunk in _chunks(values):
            where, params = sql_in(column, chunk)
            rows = sql_rows(f"SELECT {column}, id FROM {Member._meta.db_table}"  # noqa: S608
                            f" WHERE program_id = %s AND {where}{live}", [program.id, *params])  # fmt: skip
            found.update(((kind, value), member_id) for value, member_id in rows)
    # Card numbers as the file writes them (spaces, dashes) find the member by their clean form.
    for key in keys:
        clean = card_number_clean(key.card) if key.card else None
        if clean and ("card", clean) in found:
            found[("card", key.card)] = found[("card", clean)]
    return found


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]
