"""Console forms for settlement: closing a month and recording an adjustment."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tessera.kit.console.forms import MoneyField, WriteForm
from tessera.stores.models import Store


class CloseForm(forms.Form):
    period = forms.RegexField(
        label=_("Month"), regex=r"^\d{4}-(0[1-9]|1[0-2])$", max_length=7, help_text=_("YYYY-MM"),
        error_messages={"invalid": _("Write the month as YYYY-MM.")},
    )  # fmt: skip


class AdjustForm(WriteForm):
    creditor = forms.ModelChoiceField(label=_("Owed to"), queryset=Store.objects.none(), to_field_name="public_id")
    debtor = forms.ModelChoiceField(label=_("Owed by"), queryset=Store.objects.none(), to_field_name="public_id")
    amount = MoneyField(label=_("Amount"), min_minor=1)
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    corrects = forms.RegexField(
        label=_("Corrects the month"), regex=r"^\d{4}-(0[1-9]|1[0-2])$", max_length=7, required=False,
        help_text=_("YYYY-MM, optional."), error_messages={"invalid": _("Write the month as YYYY-MM.")},
    )  # fmt: skip

    def __init__(self, *args: Any, stores: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("creditor", "debtor"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = stores
