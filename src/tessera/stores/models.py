"""Merchants (a brand or chain headquarters), their stores, and the POS terminals that call the API."""

from __future__ import annotations

import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tessera.kit import ids
from tessera.kit.money import currency_is_known

KEY_PREFIX = "tsk_"  # terminal API keys read tsk_<lookup>_<secret>


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not an IANA time zone."), params={"value": value})


def validate_currency(value: str) -> None:
    if not currency_is_known(value):
        raise ValidationError(_("%(value)s is not an ISO 4217 currency."), params={"value": value})


class Merchant(models.Model):
    public_id = models.CharField(_("public ID"), max_length=40, unique=True, default=ids.merchant_id, editable=False)
    name = models.CharField(_("merchant name"), max_length=200)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166 code, e.g. CN or KR."))
    timezone = models.CharField(_("time zone"), max_length=64, validators=[validate_timezone])
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("merchant")
        verbose_name_plural = _("merchants")

    def __str__(self) -> str:
        return self.name


class Store(models.Model):
    class Kind(models.TextChoices):
        STORE = "store", _("Store")
        HEADQUARTERS = "headquarters", _("Headquarters")
        ONLINE = "online", _("Online")

    public_id = models.CharField(_("public ID"), max_length=40, unique=True, default=ids.store_id, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="stores", verbose_name=_("merchant"))
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("store name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.STORE)
    timezone = models.CharField(_("time zone"), max_length=64, validators=[validate_timezone])
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["merchant_id", "code"]
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        constraints = [
            models.UniqueConstraint(fields=["merchant", "code"], name="store_code_unique_per_merchant"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Terminal(models.Model):
    """A till or POS system at one store. API keys belong to a terminal, so a key can only act as its store."""

    public_id = models.CharField(_("public ID"), max_length=40, unique=True, default=ids.terminal_id, editable=False)
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="terminals", verbose_name=_("store"))
    name = models.CharField(_("terminal name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["store_id", "name"]
        verbose_name = _("terminal")
        verbose_name_plural = _("terminals")
        constraints = [models.UniqueConstraint(fields=["store", "name"], name="terminal_name_unique_per_store")]

    def __str__(self) -> str:
        return f"{self.store.code}/{self.name}"


class TerminalKey(models.Model):
    """An API key for a terminal. Only a SHA-256 of the secret is kept; the key is shown once, at issue."""

    public_id = models.CharField(_("public ID"), max_length=40, unique=True, default=ids.key_id, editable=False)
    terminal = models.ForeignKey(Terminal, on_delete=models.PROTECT, related_name="keys", verbose_name=_("terminal"))
    lookup = models.CharField(
        _("key lookup"), max_length=16, unique=True, help_text=_("Non-secret part of the key, to find the row.")
    )
    secret_sha256 = models.CharField(_("secret hash (SHA-256)"), max_length=64)
    label = models.CharField(_("label"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("terminal API key")
        verbose_name_plural = _("terminal API keys")

    def __str__(self) -> str:
        return f"tsk_{self.lookup}…"


class Alliance(models.Model):
    """Merchants of different trades sharing one card (the programme that names this alliance).

    The operator runs the card and earns ``commission_bp`` of the value of points one merchant issues and another
    redeems. Stored value bought from one merchant and spent at another moves money between unrelated businesses:
    in China that needs a payment licence (compliance.md), so it is off unless the operator says it holds one.
    """

    public_id = models.CharField(_("public ID"), max_length=40, unique=True, default=ids.alliance_id, editable=False)
    name = models.CharField(_("alliance name"), max_length=200)
    operator = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="operated_alliances", verbose_name=_("operator")
    )
    commission_bp = models.PositiveIntegerField(
        _("operator commission"), default=0,
        help_text=_("Basis points of the value of points redeemed at another merchant, kept by the operator."),
    )  # fmt: skip
    stored_value_shared = models.BooleanField(
        _("stored value usable across merchants"), default=False,
        help_text=_("Only with a payment licence: otherwise stored value is spent only at the merchant that sold it."),
    )  # fmt: skip
    points_shared = models.BooleanField(
        _("points redeemable across merchants"), default=True,
        help_text=_("Off: the agreement lets points be redeemed only at the merchant that issued them."),
    )  # fmt: skip
    licence_holder = models.CharField(
        _("payment licence held by"), max_length=200, blank=True,
        help_text=_("Who holds the licence that allows shared stored value; required to switch sharing on."),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("alliance")
        verbose_name_plural = _("alliances")
        constraints = [
            models.CheckConstraint(condition=models.Q(commission_bp__lte=10000), name="alliance_commission_range"),
            models.CheckConstraint(
                condition=models.Q(stored_value_shared=False) | ~models.Q(licence_holder=""),
                name="alliance_sharing_needs_licence",
                violation_error_message=_("Name who holds the payment licence before sharing stored value."),
            ),
        ]

    def __str__(self) -> str:
        return self.name
