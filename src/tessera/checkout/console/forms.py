"""Cashier forms. Amounts are typed in major units of the store's currency and cleaned to minor units.

The forms check shapes only (numbers, lengths, required fields); the checkout services decide everything about
balances, members and documents, and their refusals are shown on the form as they are.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tessera.checkout.models import Tender
from tessera.checkout.services.lines import QUANTITY_MAX
from tessera.checkout.services.redemption import POINTS_MAX
from tessera.checkout.services.top_up import TOP_UP_TENDERS
from tessera.kit.console.forms import MoneyField, WriteForm

LINES_MAX = 50
TENDERS_MAX = 10


def member_field() -> forms.CharField:
    return forms.CharField(
        label=_("Member"),
        max_length=64,
        help_text=_("Member id, card number, or scan the digital card."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class SaleForm(WriteForm):
    member = member_field()
    coupons = forms.CharField(
        label=_("Coupons"), max_length=400, required=False,
        help_text=_("Scan or type coupon codes, separated by spaces or commas; leave empty and the quote picks the "
                    "best ones the member holds."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )  # fmt: skip

    def coupon_codes(self) -> tuple[str, ...] | None:
        """The codes typed, or None when the field is empty (the quote then chooses)."""
        text = self.cleaned_data.get("coupons", "").replace(",", " ")
        codes = tuple(text.split())
        return codes or None


class LineForm(forms.Form):
    sku = forms.CharField(label=_("SKU"), max_length=64)
    name = forms.CharField(label=_("Item"), max_length=200)
    category = forms.CharField(label=_("Category"), max_length=100, required=False)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=QUANTITY_MAX, initial=1)
    unit_price = MoneyField(label=_("Unit price"))
    discount = MoneyField(label=_("Discount"), required=False)


class TenderForm(forms.Form):
    kind = forms.ChoiceField(label=_("Payment"), choices=Tender.Kind.choices, initial=Tender.Kind.CASH)
    amount = MoneyField(label=_("Amount"), min_minor=1)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)


LineFormSet = forms.formset_factory(
    LineForm, extra=2, min_num=1, validate_min=True, max_num=LINES_MAX, validate_max=True, absolute_max=LINES_MAX
)
TenderFormSet = forms.formset_factory(
    TenderForm, extra=1, min_num=1, validate_min=True, max_num=TENDERS_MAX, validate_max=True, absolute_max=TENDERS_MAX
)


class TopUpForm(WriteForm):
    member = member_field()
    amount = MoneyField(label=_("Amount"), min_minor=1)
    tender = forms.ChoiceField(
        label=_("Paid by"),
        choices=[(value, label) for value, label in Tender.Kind.choices if value in TOP_UP_TENDERS],
        initial=Tender.Kind.CASH,
    )


class TopUpRefundForm(WriteForm):
    original = forms.CharField(
        label=_("Top-up receipt number"), max_length=64, help_text=_("The POS number on the top-up's receipt.")
    )
    amount = MoneyField(
        label=_("Amount to pay back"), min_minor=1, required=False,
        help_text=_("Leave empty to refund all that is left of the top-up."),
    )  # fmt: skip
    tender = forms.ChoiceField(
        label=_("Paid back by"),
        choices=[(value, label) for value, label in Tender.Kind.choices if value in TOP_UP_TENDERS],
        initial=Tender.Kind.CASH,
    )


class RedeemForm(WriteForm):
    member = member_field()
    points = forms.IntegerField(label=_("Points"), min_value=1, max_value=POINTS_MAX)
    note = forms.CharField(
        label=_("For"), max_length=200, required=False, help_text=_("The gift or service given for the points.")
    )


class ReturnFindForm(forms.Form):
    member = member_field()


class ReturnForm(WriteForm):
    """One quantity field per line of the sale, from 0 to what is left to return on that line."""

    def __init__(self, *args: Any, remaining: dict[int, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line_numbers = sorted(no for no, left in remaining.items() if left > 0)
        for line_no in self.line_numbers:
            self.fields[f"line_{line_no}"] = forms.IntegerField(
                label=_("Quantity to return"),
                required=False,
                min_value=0,
                max_value=remaining[line_no],
                initial=0,
                widget=forms.NumberInput(attrs={"class": "amount"}),
            )

    def quantities(self) -> dict[int, int]:
        return {no: q for no in self.line_numbers if (q := self.cleaned_data.get(f"line_{no}") or 0) > 0}
