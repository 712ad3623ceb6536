"""Form pieces shared by console areas: the write-token form base and a money field in major units."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from tessera.kit.console.tokens import (
    WriteToken,
    WriteTokenInvalid,
    write_token_new,
    write_token_read,
    write_token_sign,
)
from tessera.kit.errors import DomainError
from tessera.kit.money import AMOUNT_MINOR_MAX, currency_exponent, money_parse_major

TOKEN_REFUSED = _(
    "This form has expired or was opened for another store. It has been renewed; check it and submit again."
)


class WriteForm(forms.Form):
    """A form that posts one write, carrying a signed write token in a hidden field.

    The token is minted when the form is first rendered and re-sent unchanged while the form is corrected, so
    posting it twice writes once. After a refused token or a domain error nothing was written under the key,
    and the form is given a fresh token so that the next submit counts as a new request.
    """

    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, store_id: int, staff_id: int, now: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.store_id = store_id
        self.staff_id = staff_id
        self.now = now
        if not self.is_bound:
            self.initial["token"] = self._fresh()

    def _fresh(self) -> str:
        return write_token_sign(write_token_new(store_id=self.store_id, staff_id=self.staff_id, now=self.now))

    def clean_token(self) -> WriteToken:
        try:
            return write_token_read(self.cleaned_data["token"], store_id=self.store_id, staff_id=self.staff_id)
        except WriteTokenInvalid as exc:
            self.token_renew()
            raise ValidationError(
                TOKEN_REFUSED,
                code="token",
            ) from exc

    @property
    def write_token(self) -> WriteToken:
        token = self.cleaned_data["token"]
        assert isinstance(token, WriteToken)
        return token

    def token_renew(self) -> None:
        data = self.data.copy() if isinstance(self.data, QueryDict) else QueryDict(mutable=True)
        data[self.add_prefix("token")] = self._fresh()
        self.data = data

    def domain_error(self, exc: DomainError) -> None:
        """Show a refused write as a form error; nothing was written, so the next submit gets a new key."""
        self.add_error(None, exc.text())
        self.token_renew()


class MoneyField(forms.Field):
    """An amount typed in major units (``129.50`` yuan, ``12000`` won), cleaned to integer minor units."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "class": "amount", "maxlength": 24})

    def __init__(self, *, currency: str = "CNY", min_minor: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.currency = currency
        self.min_minor = min_minor

    def to_python(self, value: Any) -> int | None:
        text = str(value).strip() if value is not None else ""
        if not text:
            return None
        digits = currency_exponent(self.currency)
        try:
            if len(text) > 24:
                raise ValueError(text[:24])
            minor = money_parse_major(text, self.currency)
        except (ValueError, ArithmeticError) as exc:
            example = f"{Decimal(12345).scaleb(-digits):.{digits}f}"
            raise ValidationError(
                _("Enter an amount in %(currency)s with at most %(digits)s decimal places, such as %(example)s."),
                code="invalid",
                params={"currency": self.currency, "digits": digits, "example": example},
            ) from exc
        if minor < self.min_minor:
            message = _("Enter an amount above zero.") if self.min_minor else _("Enter an amount that is not negative.")
            raise ValidationError(message, code="min_value")
        if minor > AMOUNT_MINOR_MAX:
            raise ValidationError(_("This amount is too large."), code="max_value")
        return minor


def money_field_set_currency(form: forms.BaseForm, currency: str) -> None:
    """Point every money field of ``form`` at the store's currency before it is validated."""
    for field in form.fields.values():
        if isinstance(field, MoneyField):
            field.currency = currency
