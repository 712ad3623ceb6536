"""The double-entry ledger: accounts, postings and their entries.

Sign convention (one for every account): an entry's ``amount`` is positive when it credits the account. Member
accounts are liabilities of the programme, so a credit raises what the member holds; the programme's own
accounts (per store) take the opposite side and may run negative. Within a posting the amounts of each unit sum
to zero. Units are ``PTS`` for points and an ISO currency code for stored value, in minor units.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tessera.kit import ids
from tessera.programs.models import Program
from tessera.stores.models import Store, Terminal

POINTS = "PTS"


class AccountKind(models.TextChoices):
    # Member accounts: bounded, balance cached under a row lock.
    MEMBER_POINTS = "member_points", _("Points")
    MEMBER_POINTS_DEBT = "member_points_debt", _("Points owed")
    MEMBER_SV_PRINCIPAL = "member_sv_principal", _("Stored value (principal)")
    MEMBER_SV_BONUS = "member_sv_bonus", _("Stored value (bonus)")
    # Programme accounts per store: the other side of every member movement. Unbounded and uncached, so that
    # concurrent sales at one store never queue on a single hot row; their balance is the sum of entries.
    STORE_POINTS_ISSUED = "store_points_issued", _("Points issued")
    STORE_POINTS_REDEEMED = "store_points_redeemed", _("Points redeemed")
    STORE_POINTS_SHORTFALL = "store_points_shortfall", _("Points shortfall settled in money")
    STORE_POINTS_EXPIRED = "store_points_expired", _("Points expired unspent (breakage)")
    STORE_SV_PRINCIPAL_IN = "store_sv_principal_in", _("Stored value principal taken in")
    STORE_SV_PRINCIPAL_OUT = "store_sv_principal_out", _("Stored value principal spent")
    STORE_SV_BONUS_IN = "store_sv_bonus_in", _("Stored value bonus granted")
    STORE_SV_BONUS_OUT = "store_sv_bonus_out", _("Stored value bonus spent")
    # Corrections between stores after a month has closed (settlement): + owed to the store, - owed by it.
    STORE_SETTLEMENT_ADJUSTMENT = "store_settlement_adjustment", _("Settlement adjustment")


MEMBER_KINDS = frozenset(
    {
        AccountKind.MEMBER_POINTS,
        AccountKind.MEMBER_POINTS_DEBT,
        AccountKind.MEMBER_SV_PRINCIPAL,
        AccountKind.MEMBER_SV_BONUS,
    }
)


class Account(models.Model):
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+", verbose_name=_("programme"))
    kind = models.CharField(_("kind"), max_length=32, choices=AccountKind.choices)
    unit = models.CharField(_("unit"), max_length=3, help_text=_("PTS, or the ISO currency of stored value."))
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, null=True, related_name="accounts", verbose_name=_("member")
    )
    store = models.ForeignKey(Store, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("store"))
    balance = models.BigIntegerField(
        _("balance"),
        null=True,
        help_text=_("Cached sum of entries (credit positive), in minor units or points; NULL where not cached."),
    )
    floor = models.BigIntegerField(_("balance floor"), null=True, help_text=_("Lowest allowed balance; NULL for none."))
    ceiling = models.BigIntegerField(
        _("balance ceiling"), null=True, help_text=_("Highest allowed balance; NULL for none.")
    )
    version = models.PositiveBigIntegerField(
        _("version"), default=0, help_text=_("Postings applied to the cached balance.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            # The backstop behind lock-then-check: a bug that tries to overdraw fails here, never silently.
            models.CheckConstraint(
                condition=models.Q(floor__isnull=True) | models.Q(balance__gte=models.F("floor")),
                name="account_balance_not_below_floor",
            ),
            models.CheckConstraint(
                condition=models.Q(ceiling__isnull=True) | models.Q(balance__lte=models.F("ceiling")),
                name="account_balance_not_above_ceiling",
            ),
            models.CheckConstraint(
                condition=models.Q(member__isnull=True) ^ models.Q(store__isnull=True),
                name="account_belongs_to_member_or_store",
            ),
            models.UniqueConstraint(
                fields=["member", "kind", "unit"],
                condition=models.Q(member__isnull=False),
                name="account_unique_per_member",
            ),
            models.UniqueConstraint(
                fields=["program", "store", "kind", "unit"],
                condition=models.Q(store__isnull=False),
                name="account_unique_per_store",
            ),
        ]

    def __str__(self) -> str:
        owner = f"member {self.member_id}" if self.member_id else f"store {self.store_id}"
        return f"{self.kind} {self.unit} ({owner})"


class Posting(models.Model):
    """One business event's movement of value: two or more entries that sum to zero per unit. Immutable."""

    public_id = models.CharField(_("public ID"), max_length=40, default=ids.posting_id, editable=False)
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="+", verbose_name=_("programme"), db_index=False
    )
    store = models.ForeignKey(
        Store, on_delete=models.PROTECT, related_name="+", verbose_name=_("store"), db_index=False
    )
    reason = models.CharField(_("reason"), max_length=48)
    request_key = models.CharField(
        _("request key"), max_length=255, help_text=_("Idempotency key of the write that made it.")
    )
    source_type = models.CharField(
        _("source type"), max_length=32, help_text=_("What caused it: sale, return, top_up, ...")
    )
    source_id = models.CharField(_("source ID"), max_length=64)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("staff member"),
        db_index=False,
    )
    terminal = models.ForeignKey(
        Terminal, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("terminal")
    )
    system = models.CharField(_("system"), max_length=64, blank=True)
    event_at = models.DateTimeField(
        _("time at the till"), help_text=_("When it happened at the till (may be earlier after offline sync).")
    )
    created_at = models.DateTimeField(_("recorded at"), help_text=_("When the ledger recorded it."))
    reverses = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        related_name="reversals",
        verbose_name=_("reversed posting"),
        db_index=False,
    )
    details = models.JSONField(
        _("details"), default=dict, help_text=_("Why: the rules and figures that produced the amounts.")
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        # The store leads the request-key constraint; staff and reversal links are indexed only where set.
        indexes = [
            # A programme's postings by the time the ledger recorded them: what a settlement month reads.
            models.Index(fields=["program", "created_at"], name="posting_program_time_idx"),
            models.Index(fields=["staff"], condition=models.Q(staff__isnull=False), name="posting_staff_idx"),
            models.Index(fields=["reverses"], condition=models.Q(reverses__isnull=False), name="posting_reverses_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["store", "request_key"], name="posting_request_key_unique_per_store"),
            models.UniqueConstraint(fields=["public_id"], name="posting_public_id_unique"),
            models.CheckConstraint(
                condition=models.Q(staff__isnull=False) | models.Q(terminal__isnull=False) | ~models.Q(system=""),
                name="posting_has_actor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} {self.reason}"


class Entry(models.Model):
    """One side of a posting. ``balance_after`` is the account's cached balance once this entry applied."""

    posting = models.ForeignKey(Posting, on_delete=models.PROTECT, related_name="entries", verbose_name=_("posting"))
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="entries", verbose_name=_("account"), db_index=False
    )
    unit = models.CharField(_("unit"), max_length=3)
    amount = models.BigIntegerField(_("amount"), help_text=_("Credit positive, debit negative; minor units or points."))
    balance_after = models.BigIntegerField(_("balance after"), null=True)
    # Settlement between stores (docs/settlement.md): the store whose money or points this entry moves, when that
    # is not the account's own store. A sale at B paid with stored value topped up at A names A on B's entry.
    origin_store = models.ForeignKey(
        Store, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False,
        verbose_name=_("origin store"), help_text=_("Where the value it moves came from; empty: the account's store."),
    )  # fmt: skip

    class Meta:
        ordering = ["id"]
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        indexes = [models.Index(fields=["account", "id"], name="entry_account_idx")]
        constraints = [models.CheckConstraint(condition=~models.Q(amount=0), name="entry_amount_nonzero")]

    def __str__(self) -> str:
        return f"{self.amount:+d} {self.unit} -> account {self.account_id}"
