"""Console forms of the tier ladder designer: a candidate ladder as rows, and where the spend comes from."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tessera.kit.console.forms import MoneyField
from tessera.tiers.designer import BAND_BP, Rung
from tessera.tiers.designer_io import UPLOAD_BYTES_MAX, SpendFileInvalid, SpendTable, spends_read
from tessera.tiers.designer_report import TIERS_MAX, ladder_problems
from tessera.tiers.designer_suggest import PAID_SHARE_BP

PROGRAMME, UPLOAD = "programme", "upload"


def percent_field(label: Any, *, minimum: int, initial_bp: int, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label, min_value=Decimal(minimum), max_value=Decimal(100), decimal_places=2, max_digits=5,
        initial=Decimal(initial_bp) / 100, help_text=help_text,
    )  # fmt: skip


def bp_of(percent: Decimal) -> int:
    return int(percent * 100)


class TierRowForm(forms.Form):
    name = forms.CharField(label=_("Tier"), max_length=100, required=False)
    threshold = MoneyField(label=_("Threshold"), required=False)
    discount = forms.DecimalField(
        label=_("Discount (%)"), min_value=Decimal(0), max_value=Decimal(100), decimal_places=2, max_digits=5,
        required=False,
    )  # fmt: skip

    def __init__(self, *args: Any, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        threshold = self.fields["threshold"]
        assert isinstance(threshold, MoneyField)
        threshold.currency = currency

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        name, threshold = (data.get("name") or "").strip(), data.get("threshold")
        if name and threshold is None and "threshold" not in self.errors:
            self.add_error("threshold", _("Give the tier's threshold (0 for the base tier)."))
        if threshold is not None and not name:
            self.add_error("name", _("Give the tier a name."))
        return data

    def rung(self) -> Rung | None:
        data = getattr(self, "cleaned_data", None) or {}
        name, threshold = (data.get("name") or "").strip(), data.get("threshold")
        if not name or threshold is None:
            return None
        return Rung(name, threshold, bp_of(data.get("discount") or Decimal(0)))


class BaseTierRows(forms.BaseFormSet):
    """The tiers, base tier first; blank rows are left out."""

    def rungs(self) -> list[Rung]:
        return [rung for form in self.forms if (rung := form.rung()) is not None]

    def clean(self) -> None:
        if any(self.errors):
            return
        if problems := ladder_problems(self.rungs()):
            raise ValidationError(problems)


TierRows = forms.formset_factory(
    TierRowForm, formset=BaseTierRows, extra=3, max_num=TIERS_MAX, absolute_max=TIERS_MAX, validate_max=True
)


def tier_rows(data: Any, *, prefix: str, currency: str, initial: list[dict[str, Any]]) -> BaseTierRows:
    rows = TierRows(data, prefix=prefix, initial=initial, form_kwargs={"currency": currency})
    assert isinstance(rows, BaseTierRows)
    return rows


class SpendSourceForm(forms.Form):
    """Where the spend comes from: the programme's members, or a CSV or XLSX file read for this request only."""

    source = forms.ChoiceField(
        label=_("Spend of"), widget=forms.RadioSelect, initial=PROGRAMME,
        choices=[(PROGRAMME, _("The programme's members")), (UPLOAD, _("An uploaded file (CSV or XLSX)"))],
    )  # fmt: skip
    spend_file = forms.FileField(
        label=_("Spending file"), required=False,
        help_text=_("One row per member with a spend column, or a histogram with spend and members columns; "
                    "amounts in major units. At most 5 MB. The file is read, not kept."),
    )  # fmt: skip
    band = percent_field(
        _("Acceptance band (%)"), minimum=0, initial_bp=BAND_BP,
        help_text=_("How far above their level a member will still try (the seed's 20%)."),
    )  # fmt: skip

    def __init__(self, *args: Any, currency: str, exponent: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.currency, self.exponent = currency, exponent
        self.upload: SpendTable | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("source") != UPLOAD:
            return data
        upload = data.get("spend_file")
        if upload is None:
            self.add_error("spend_file", _("Choose the file to upload."))
        elif upload.size > UPLOAD_BYTES_MAX:
            self.add_error("spend_file", _("The file is larger than 5 MB."))
        else:
            try:
                self.upload = spends_read(upload.read(), currency=self.currency, exponent=self.exponent)
            except SpendFileInvalid as exc:
                refused = _("The spending file was not accepted and nothing from it was used:")
                self.add_error("spend_file", [str(refused), *exc.problems])
        return data

    @property
    def band_bp(self) -> int:
        return bp_of(self.cleaned_data["band"])


class DesignerForm(SpendSourceForm):
    paid_share = percent_field(
        _("Members meant to hold a tier above the base (%)"), minimum=1, initial_bp=PAID_SHARE_BP,
        help_text=_("For the suggestion: the share of members the suggested thresholds let in."),
    )  # fmt: skip

    @property
    def paid_share_bp(self) -> int:
        return bp_of(self.cleaned_data["paid_share"])
