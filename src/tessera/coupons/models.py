"""Electronic coupons: templates a merchant defines, coupons issued from them to members, and their history.

A ``CouponTemplate`` says what a coupon gives (cash off, a percentage off up to a cap, a free item, or a points
multiplier) and when it applies (minimum spend, scope, days and hours, first purchase only). A ``Coupon`` is
one member's copy with its own unguessable code and validity. Its state moves

    issued -> held (a till's quote holds it for one checkout) -> redeemed (the sale committed)
    held -> issued (the hold was released, or it lapsed)      redeemed -> issued (a full return restored it)
    issued -> expired | voided

and every move is a ``CouponEvent`` row saying where, by whom and for which document.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tessera.kit.ids import new_public_id
from tessera.members.models import Member
from tessera.programs.models import Program
from tessera.stores.models import Store, Terminal

LANGUAGES = ("en", "zh-hans", "zh-hant", "ko")


def template_public_id() -> str:
    return new_public_id("cpt")


def coupon_public_id() -> str:
    return new_public_id("cpn")


def validate_names(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValidationError(_('List the names as text, e.g. ["shoes"].'))


def validate_weekdays(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(d, int) and 1 <= d <= 7 for d in value):
        raise ValidationError(_("List the days as numbers from 1 (Monday) to 7 (Sunday)."))


class CouponTemplate(models.Model):
    class Kind(models.TextChoices):
        CASH = "cash", _("Cash off")
        PERCENT = "percent", _("Percentage off")
        GIFT = "gift", _("Free item")
        POINTS_MULTIPLIER = "points_multiplier", _("Points multiplier")

    class Stacking(models.TextChoices):
        EXCLUSIVE = "exclusive", _("Alone: no other coupon in the same sale")
        COMBINABLE = "combinable", _("Combines with other combinable coupons")

    public_id = models.CharField(_("public ID"), max_length=40, unique=True, default=template_public_id, editable=False)
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="coupon_templates", verbose_name=_("programme")
    )
    code = models.SlugField(_("template code"), max_length=64, help_text=_("Stable code for staff and the API."))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # What it gives: one of these, by kind.
    amount_minor = models.BigIntegerField(_("amount off (minor units)"), null=True, blank=True)
    percent_bp = models.PositiveIntegerField(
        _("percentage off (basis points)"), null=True, blank=True, help_text=_("1000 basis points are a tenth off.")
    )
    max_discount_minor = models.BigIntegerField(_("largest discount (minor units)"), null=True, blank=True)
    gift_sku = models.CharField(_("free item SKU"), max_length=64, blank=True)
    multiplier_permille = models.PositiveIntegerField(
        _("points multiplier (per mille)"), null=True, blank=True, help_text=_("2000 earns ×2 on the basket.")
    )
    # When it applies.
    min_spend_minor = models.BigIntegerField(_("minimum spend (minor units)"), default=0)
    categories = models.JSONField(_("categories"), default=list, blank=True, validators=[validate_names])
    brands = models.JSONField(_("brands"), default=list, blank=True, validators=[validate_names])
    skus = models.JSONField(_("SKUs"), default=list, blank=True, validators=[validate_names])
    tiers = models.JSONField(_("tier codes"), default=list, blank=True, validators=[validate_names])
    stores = models.ManyToManyField(Store, blank=True, related_name="+", verbose_name=_("stores"))
    weekdays = models.JSONField(_("days of the week"), default=list, blank=True, validators=[validate_weekdays])
    hour_from = models.PositiveSmallIntegerField(_("from hour"), null=True, blank=True)
    hour_to = models.PositiveSmallIntegerField(
        _("until hour"), null=True, blank=True, help_text=_("The first hour no longer valid, in the store's time.")
    )
    first_purchase_only = models.BooleanField(_("first purchase only"), default=False)
    # Validity of each coupon issued: fixed dates, or a number of days from issue.
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    valid_days = models.PositiveIntegerField(_("valid for (days after issue)"), null=True, blank=True)
    # Limits.
    per_member_limit = models.PositiveIntegerField(_("most per member"), null=True, blank=True)
    total_limit = models.PositiveIntegerField(_("most issued in all"), null=True, blank=True)
    budget_minor = models.BigIntegerField(_("discount budget (minor units)"), null=True, blank=True)
    stacking = models.CharField(_("stacking"), max_length=16, choices=Stacking.choices, default=Stacking.EXCLUSIVE)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["program_id", "code"]
        verbose_name = _("coupon template")
        verbose_name_plural = _("coupon templates")
        constraints = [
            models.UniqueConstraint(fields=["program", "code"], name="coupon_template_code_unique"),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="cash", amount_minor__gt=0)
                    | models.Q(kind="percent", percent_bp__gt=0, percent_bp__lte=10_000)
                    | (models.Q(kind="gift") & ~models.Q(gift_sku=""))
                    | models.Q(kind="points_multiplier", multiplier_permille__gt=1000)
                ),
                name="coupon_template_gives_something",
                violation_error_message=_(
                    "Give the coupon its value: an amount for cash, 1 to 10,000 basis points for a percentage, a "
                    "SKU for a free item, or a multiplier above 1000 per mille."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(max_discount_minor__isnull=True) | models.Q(max_discount_minor__gt=0),
                name="coupon_template_cap_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(min_spend_minor__gte=0), name="coupon_template_min_spend_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_days__isnull=False, valid_days__gt=0) | models.Q(valid_until__isnull=False),
                name="coupon_template_validity_has_end",
                violation_error_message=_("Give the coupon an end: a last moment, or a number of days after issue."),
            ),
            models.CheckConstraint(
                condition=models.Q(valid_from__isnull=True)
                | models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gt=models.F("valid_from")),
                name="coupon_template_dates_ordered",
                violation_error_message=_("The end of validity must come after its start."),
            ),
            models.CheckConstraint(
                condition=(models.Q(hour_from__isnull=True) & models.Q(hour_to__isnull=True))
                | models.Q(hour_from__gte=0, hour_from__lt=24, hour_to__gt=models.F("hour_from"), hour_to__lte=24),
                name="coupon_template_hours",
                violation_error_message=_("Hours run from 0 to 24, and the end comes after the start."),
            ),
            models.CheckConstraint(
                condition=models.Q(budget_minor__isnull=True) | models.Q(budget_minor__gt=0),
                name="coupon_template_budget_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class CouponTemplateUsage(models.Model):
    """How much of a template's limits is used: coupons issued and discount given.

    Kept apart from the template because the template is configuration, cached by checkout per programme
    version (every write to it bumps that version), while these counters move with every issue and sale.
    """

    template = models.OneToOneField(
        CouponTemplate, on_delete=models.CASCADE, related_name="usage", verbose_name=_("template")
    )
    issued_count = models.PositiveIntegerField(_("issued so far"), default=0)
    budget_used_minor = models.BigIntegerField(_("discount given so far (minor units)"), default=0)

    class Meta:
        verbose_name = _("coupon template usage")
        verbose_name_plural = _("coupon template usage")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(budget_used_minor__gte=0), name="coupon_usage_budget_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.template_id}: {self.issued_count} issued"


class CouponTemplateTranslation(models.Model):
    """What members and cashiers read about a template, per language."""

    template = models.ForeignKey(
        CouponTemplate, on_delete=models.CASCADE, related_name="translations", verbose_name=_("template")
    )
    language_code = models.CharField(_("language"), max_length=8, choices=[(code, code) for code in LANGUAGES])
    name = models.CharField(_("coupon name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["template_id", "language_code"]
        verbose_name = _("coupon template translation")
        verbose_name_plural = _("coupon template translations")
        constraints = [
            models.UniqueConstraint(fields=["template", "language_code"], name="coupon_template_translation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.language_code}: {self.name}"


class Coupon(models.Model):
    class State(models.TextChoices):
        ISSUED = "issued", _("Issued")
        HELD = "held", _("Held for a checkout")
        REDEEMED = "redeemed", _("Redeemed")
        EXPIRED = "expired", _("Expired")
        VOIDED = "voided", _("Voided")

    public_id = models.CharField(_("public ID"), max_length=40, unique=True, default=coupon_public_id, editable=False)
    code = models.CharField(_("code"), max_length=32, unique=True, help_text=_("What the member shows or scans."))
    template = models.ForeignKey(
        CouponTemplate, on_delete=models.PROTECT, related_name="coupons", verbose_name=_("template")
    )
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+", verbose_name=_("programme"))
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="coupons", verbose_name=_("member"), db_index=False
    )  # coupon_member_state_idx serves lookups by member
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.ISSUED)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(
        _("valid until"), help_text=_("Redemptions at or after this moment are refused.")
    )
    source = models.CharField(
        _("issued by"), max_length=32, help_text=_("staff, bulk, welcome, top_up, gift_ladder, birthday, mall ...")
    )
    source_id = models.CharField(_("source ID"), max_length=64, blank=True)
    issued_at = models.DateTimeField(_("issued at"))
    hold_key = models.CharField(_("hold"), max_length=64, blank=True, help_text=_("The checkout holding it."))
    held_until = models.DateTimeField(_("held until"), null=True, blank=True)
    redeemed_document = models.CharField(
        _("redeemed on document"), max_length=40, blank=True, help_text=_("Public id of the sale it discounted.")
    )
    discount_minor = models.BigIntegerField(_("discount given (minor units)"), default=0)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        indexes = [
            models.Index(fields=["member", "state"], name="coupon_member_state_idx"),
            models.Index(fields=["valid_until"], condition=models.Q(state="issued"), name="coupon_open_expiry_idx"),
            # Every sale with coupons frees what its checkout held: a lookup by hold, among the few held rows.
            models.Index(fields=["hold_key"], condition=models.Q(state="held"), name="coupon_hold_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=["issued", "held", "redeemed", "expired", "voided"]), name="coupon_state"
            ),
            models.CheckConstraint(
                condition=(models.Q(state="held") & ~models.Q(hold_key="") & models.Q(held_until__isnull=False))
                | (~models.Q(state="held") & models.Q(hold_key="")),
                name="coupon_hold_recorded",
            ),
            models.CheckConstraint(
                condition=(models.Q(state="redeemed") & ~models.Q(redeemed_document=""))
                | (~models.Q(state="redeemed") & models.Q(redeemed_document="")),
                name="coupon_redemption_recorded",
            ),
            models.CheckConstraint(condition=models.Q(discount_minor__gte=0), name="coupon_discount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} ({self.state})"


class CouponEvent(models.Model):
    """One move of a coupon, never changed: who, where, when, and the document it concerned."""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("Issued")
        HELD = "held", _("Held")
        RELEASED = "released", _("Released")
        REDEEMED = "redeemed", _("Redeemed")
        RESTORED = "restored", _("Restored by a return")
        EXPIRED = "expired", _("Expired")
        VOIDED = "voided", _("Voided")

    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="events", verbose_name=_("coupon"))
    kind = models.CharField(_("event"), max_length=16, choices=Kind.choices)
    store = models.ForeignKey(
        Store, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("store"), db_index=False
    )
    terminal = models.ForeignKey(
        Terminal, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("terminal"), db_index=False
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
        verbose_name=_("staff member"), db_index=False,
    )  # fmt: skip
    system = models.CharField(_("system"), max_length=64, blank=True)
    document = models.CharField(_("document"), max_length=40, blank=True, help_text=_("Public id of the document."))
    discount_minor = models.BigIntegerField(_("discount (minor units)"), default=0)
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["coupon_id", "id"]
        verbose_name = _("coupon event")
        verbose_name_plural = _("coupon events")

    def __str__(self) -> str:
        return f"{self.coupon_id} {self.kind}"


class CouponTrigger(models.Model):
    """Coupons a programme gives when something happens to a member: joining, a birthday.

    The seam the engagement capability will use for its own triggers; today enrolment issues the welcome
    coupons, and ``coupons_for_event`` issues any event's coupons for whoever raises it.
    """

    class Event(models.TextChoices):
        WELCOME = "welcome", _("Joined the programme")
        BIRTHDAY = "birthday", _("Birthday")

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="coupon_triggers", verbose_name=_("programme")
    )
    event = models.CharField(_("event"), max_length=16, choices=Event.choices)
    template = models.ForeignKey(
        CouponTemplate, on_delete=models.PROTECT, related_name="triggers", verbose_name=_("template")
    )
    count = models.PositiveSmallIntegerField(_("coupons each time"), default=1)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["program_id", "event", "id"]
        verbose_name = _("coupon trigger")
        verbose_name_plural = _("coupon triggers")
        constraints = [
            models.UniqueConstraint(fields=["program", "event", "template"], name="coupon_trigger_unique"),
            models.CheckConstraint(condition=models.Q(count__gte=1), name="coupon_trigger_count_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.event}: {self.template_id} x{self.count}"
