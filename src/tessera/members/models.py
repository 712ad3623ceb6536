"""Members of a programme, their cards, and running purchase statistics kept up to date by checkout."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tessera.kit import ids
from tessera.programs.models import Program
from tessera.stores.models import Store


class Member(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        FROZEN = "frozen", _("Frozen")
        CLOSED = "closed", _("Closed")

    class Gender(models.TextChoices):
        UNSPECIFIED = "", _("Not given")
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Other")

    public_id = models.CharField(_("public ID"), max_length=40, unique=True, default=ids.member_id, editable=False)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="members", verbose_name=_("programme"))
    # Blank only for a member imported from another system without one (docs/imports.md); enrolment at the till
    # and in the console always asks for a phone.
    phone = models.CharField(_("phone"), max_length=20, blank=True, help_text=_("E.164, e.g. +8613800138000."))
    name = models.CharField(_("name"), max_length=100)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True, default="")
    locale = models.CharField(_("language"), max_length=8, default="en")
    email = models.EmailField(_("e-mail"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE)
    card_number = models.CharField(_("card number"), max_length=16, unique=True)
    card_code = models.CharField(
        _("card code"), max_length=32, unique=True, help_text="Random token carried by the QR code."
    )
    enrolled_at = models.DateTimeField(_("enrolled at"))
    # Consent (compliance.md: purpose-bound sharing) to let the alliance's partners see the member's purchases at
    # other merchants; when it was given, or empty: each partner sees only its own transactions.
    partners_may_see_history_since = models.DateTimeField(
        _("shares purchase history with partners since"), null=True, blank=True
    )
    card_valid_until = models.DateField(
        _("card valid until"), null=True, blank=True,
        help_text=_("Last day the card is valid, in the programme's time zone; empty if it never expires."),
    )  # fmt: skip
    external_ref = models.CharField(
        _("previous system's member id"), max_length=64, blank=True, default="", db_default="",
        help_text=_("The member's id in the system the merchant moved from; empty for members who joined here."),
    )  # fmt: skip
    enrolled_store = models.ForeignKey(
        Store, on_delete=models.PROTECT, related_name="+", verbose_name=_("enrolment store")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            # One live membership per phone per programme; a closed membership frees the number, and members
            # imported without a phone do not share the empty one.
            models.UniqueConstraint(
                fields=["program", "phone"],
                condition=~models.Q(status="closed") & ~models.Q(phone=""),
                name="member_phone_unique_per_program",
            ),
            # Imports find a member again by the id the previous system gave them, so it names one member.
            models.UniqueConstraint(
                fields=["program", "external_ref"],
                condition=~models.Q(external_ref=""),
                name="member_external_ref_unique_per_program",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["active", "frozen", "closed"]), name="member_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.public_id})"


class MemberStats(models.Model):
    """Running totals per member, changed in the same transaction as each sale, return and top-up."""

    member = models.OneToOneField(
        Member, on_delete=models.PROTECT, primary_key=True, related_name="stats", verbose_name=_("member")
    )
    first_purchase_at = models.DateTimeField(_("first purchase at"), null=True)
    last_purchase_at = models.DateTimeField(_("last purchase at"), null=True)
    # The purchase before the last one (NULL until the second): the gap between the two says whether the member
    # came back after a long absence, which the RFM run's "reactivated" stage needs (docs/analytics.md).
    previous_purchase_at = models.DateTimeField(_("purchase before the last at"), null=True)
    # The member's programme, copied when the row is made at enrolment (a member never changes programme), so that
    # an RFM run reads the programme's buyers from this one table instead of joining a million members
    # (bench/segments.py).
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+", verbose_name=_("programme"))
    purchase_count = models.PositiveIntegerField(_("number of purchases"), default=0)
    return_count = models.PositiveIntegerField(_("number of returns"), default=0)
    items_bought = models.BigIntegerField(_("items bought"), default=0)
    items_returned = models.BigIntegerField(_("items returned"), default=0)
    spend_minor = models.BigIntegerField(
        _("spend (minor units)"), default=0, help_text=_("Gross sales value, minor units.")
    )
    refund_minor = models.BigIntegerField(
        _("refunds (minor units)"), default=0, help_text=_("Value of returned goods, minor units.")
    )
    top_up_count = models.PositiveIntegerField(_("number of top-ups"), default=0)
    top_up_minor = models.BigIntegerField(
        _("top-ups (minor units)"), default=0, help_text=_("Stored value principal put in, minor units.")
    )
    points_earned = models.BigIntegerField(_("points earned"), default=0)
    points_taken_back = models.BigIntegerField(_("points taken back"), default=0)

    class Meta:
        ordering = ["member_id"]
        verbose_name = _("member statistics")
        verbose_name_plural = _("member statistics")

    def __str__(self) -> str:
        return f"stats for member {self.member_id}"

    @property
    def net_spend_minor(self) -> int:
        return self.spend_minor - self.refund_minor


class MemberCategoryStats(models.Model):
    """Running totals per member and product category (net of returns)."""

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="category_stats", verbose_name=_("member"), db_index=False
    )
    category = models.CharField(_("category"), max_length=100)
    purchase_count = models.PositiveIntegerField(
        _("number of purchases"), default=0, help_text=_("Sales that included the category.")
    )
    quantity = models.BigIntegerField(_("quantity"), default=0)
    spend_minor = models.BigIntegerField(
        _("net spend (minor units)"), default=0, help_text=_("Net value after returns, minor units.")
    )
    first_purchase_at = models.DateTimeField(_("first purchase at"), null=True)
    last_purchase_at = models.DateTimeField(_("last purchase at"), null=True)

    class Meta:
        ordering = ["member_id", "category"]
        verbose_name = _("member category statistics")
        verbose_name_plural = _("member category statistics")
        constraints = [
            models.UniqueConstraint(fields=["member", "category"], name="member_category_stats_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}/{self.category}"
