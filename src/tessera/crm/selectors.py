"""Reading profiles (sensitive attributes masked), tags, and the member's purchase lines for the 360 view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.core.paginator import Paginator
from django.db.models import BigIntegerField, Case, Count, F, Max, Q, QuerySet, Sum, When
from django.db.models.functions import Coalesce

from tessera.checkout.models import Document, DocumentLine
from tessera.crm.models import MemberTag, Profile, Tag
from tessera.crm.rules import (
    AGE_BAND_LABELS,
    ATTRIBUTES,
    SENSITIVE_MASK,
    Attribute,
    Source,
    age_band,
    words_normalise,
)
from tessera.members.models import Member
from tessera.programs.models import Program

# ---------------------------------------------------------------- profiles


def profile_of(member: Member) -> Profile:
    """The member's profile; an unsaved empty one when nothing was ever given."""
    return Profile.objects.filter(member=member).first() or Profile(member=member)


@dataclass(frozen=True, slots=True)
class AttributeRow:
    """One attribute as staff see it: ``value`` is the readable value, the mask, or empty when not given."""

    attribute: Attribute
    value: str
    masked: bool

    @property
    def code(self) -> str:
        return self.attribute.code

    @property
    def given(self) -> bool:
        return bool(self.value)


def attribute_value(member: Member, profile: Profile, code: str, today: date) -> str:
    """The readable value of one attribute, in the active language; empty when the member gave none."""
    if code == "gender":
        return str(member.get_gender_display()) if member.gender else ""
    if code == "birthday":
        return member.birthday.isoformat() if member.birthday else ""
    if code == "age_band":
        band = age_band(member.birthday, today)
        return str(AGE_BAND_LABELS[band]) if band else ""
    if code == "income_band":
        return str(profile.get_income_band_display()) if profile.income_band else ""
    if code == "education":
        return str(profile.get_education_display()) if profile.education else ""
    if code == "preferences":
        return ", ".join(profile.preferences or [])
    value: str = getattr(profile, code)
    return value


def profile_rows(
    member: Member, profile: Profile, *, today: date, revealed: dict[str, str] | None = None
) -> list[AttributeRow]:
    """Every attribute of the registry, sensitive ones masked but for those just revealed. The birthday is
    masked the way the member page masks it; it is revealed there, with the member's other personal data."""
    revealed = revealed or {}
    rows = []
    for attribute in ATTRIBUTES:
        value = attribute_value(member, profile, attribute.code, today)
        if value and attribute.code == "birthday":
            rows.append(AttributeRow(attribute, "****-**-**", masked=True))
        elif value and attribute.sensitive and attribute.code not in revealed:
            rows.append(AttributeRow(attribute, SENSITIVE_MASK, masked=True))
        else:
            rows.append(AttributeRow(attribute, revealed.get(attribute.code, value), masked=False))
    return rows


def profile_public(member: Member, profile: Profile, *, today: date) -> dict[str, object]:
    """What a till is told of the profile: the attributes that are not sensitive, as stored, and the age band;
    sensitive ones are left out entirely, not masked (a till never reveals them)."""
    band = age_band(member.birthday, today)
    shown = [a.code for a in ATTRIBUTES if a.source is Source.PROFILE and not a.sensitive]
    return {
        "member_id": member.public_id,
        "gender": member.gender,
        "age_band": band.value if band else None,
        **{code: getattr(profile, code) for code in shown},
    }


# ---------------------------------------------------------------- tags


def member_tags(member: Member) -> list[Tag]:
    return list(Tag.objects.filter(members__member=member).order_by("name"))


def programs_owned(*, merchant_id: int) -> list[Program]:
    """The programmes whose tags the merchant manages: its own, not the alliances it is a partner of."""
    return list(Program.objects.filter(owner_id=merchant_id).order_by("id"))


def tags_with_counts(*, program_ids: list[int]) -> QuerySet[Tag]:
    """The programmes' tags by name, each with ``member_count``."""
    return (
        Tag.objects.filter(program_id__in=program_ids)
        .select_related("program")
        .annotate(member_count=Count("members"))
        .order_by("program_id", "name")
    )


def tags_of_program(*, program_id: int) -> list[Tag]:
    return list(Tag.objects.filter(program_id=program_id).order_by("name"))


def tag_among(*, tag_id: int, program_ids: list[int]) -> Tag | None:
    """The tag if it belongs to one of these programmes (those the viewer's merchant serves); else None."""
    return Tag.objects.select_related("program").filter(id=tag_id, program_id__in=program_ids).first()


def tag_by_name(*, program_id: int, name: str) -> Tag | None:
    return Tag.objects.filter(program_id=program_id, name__iexact=words_normalise(name)).first()


def member_tag_count(*, tag_id: int) -> int:
    return MemberTag.objects.filter(tag_id=tag_id).count()


# ---------------------------------------------------------------- purchase history (the 360 view)

PURCHASE_KINDS = (
    Document.Kind.SALE,
    Document.Kind.RETURN,
    Document.Kind.IMPORTED_SALE,
    Document.Kind.IMPORTED_RETURN,
)
RETURN_KINDS = (Document.Kind.RETURN, Document.Kind.IMPORTED_RETURN)


def _purchase_lines(member: Member, merchant_id: int | None) -> QuerySet[DocumentLine]:
    """Sale and return lines of the member, the till's and imported ones; with ``merchant_id``, only those of that
    merchant's stores (an alliance partner without the member's consent, ``history_merchant_for``)."""
    lines = DocumentLine.objects.filter(document__member=member, document__kind__in=PURCHASE_KINDS)
    return lines if merchant_id is None else lines.filter(document__store__merchant_id=merchant_id)


@dataclass(frozen=True, slots=True)
class PurchaseRow:
    event_at: datetime
    timezone: str  # the store's: the time is shown as the till saw it
    store_name: str
    kind: str
    is_return: bool
    brand: str
    category: str
    sku: str
    name: str
    unit_price_minor: int
    quantity: int  # negative for a return
    amount_minor: int  # net of discounts; negative for a return
    currency: str


@dataclass(frozen=True, slots=True)
class PurchasePage:
    rows: list[PurchaseRow]
    number: int
    pages: int
    count: int

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None


def purchases_page(*, member: Member, merchant_id: int | None, page: int, size: int = 25) -> PurchasePage:
    """One page of the member's purchase lines, newest first; a page past the end is the last one."""
    lines = (
        _purchase_lines(member, merchant_id)
        .select_related("document__store")
        .order_by("-document__event_at", "-document_id", "line_no")
    )
    found = Paginator(lines, size, allow_empty_first_page=True).get_page(page)
    rows = [_purchase_row(line) for line in found.object_list]
    return PurchasePage(rows=rows, number=found.number, pages=found.paginator.num_pages, count=found.paginator.count)


def _purchase_row(line: DocumentLine) -> PurchaseRow:
    document = line.document
    sign = -1 if document.kind in RETURN_KINDS else 1
    return PurchaseRow(
        event_at=document.event_at,
        timezone=document.store.timezone,
        store_name=document.store.name,
        kind=str(Document.Kind(document.kind).label),
        is_return=sign < 0,
        brand=line.brand,
        category=line.category,
        sku=line.sku,
        name=line.name,
        unit_price_minor=line.unit_price_minor,
        quantity=sign * line.quantity,
        amount_minor=sign * line.amount_minor,
        currency=document.currency,
    )


@dataclass(frozen=True, slots=True)
class PurchaseSummary:
    """Net of returns, per brand or category and currency."""

    key: str  # the brand or category; empty where the till sent none
    currency: str
    quantity: int
    amount_minor: int
    purchases: int  # sale documents with a line of it
    last_at: datetime | None


def _signed(column: str, returned: Q) -> Case:
    return Case(When(returned, then=-F(column)), default=F(column), output_field=BigIntegerField())


def purchases_by(*, member: Member, merchant_id: int | None, field: str, limit: int = 10) -> list[PurchaseSummary]:
    """The member's purchases summed by ``field`` ("brand" or "category"), largest net amount first."""
    assert field in ("brand", "category")
    returned = Q(document__kind__in=RETURN_KINDS)
    rows = (
        _purchase_lines(member, merchant_id)
        .values(field, "document__currency")
        .annotate(
            qty=Coalesce(Sum(_signed("quantity", returned)), 0),
            net=Coalesce(Sum(_signed("amount_minor", returned)), 0),
            sales=Count("document", filter=~returned, distinct=True),
            last=Max("document__event_at", filter=~returned),
        )
        .order_by("-net", field)[:limit]
    )
    return [
        PurchaseSummary(key=r[field], currency=r["document__currency"], quantity=int(r["qty"]),
                        amount_minor=int(r["net"]), purchases=int(r["sales"]), last_at=r["last"])
        for r in rows
    ]  # fmt: skip
