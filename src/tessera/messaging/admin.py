"""Admin for the outbox and the job runs: read-only, with "retry now" for messages that gave up."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tessera.kit.clock import now as clock_now
from tessera.kit.console.admin import ReadOnlyAdmin
from tessera.messaging import conf
from tessera.messaging.models import JobRun, OutboxMessage
from tessera.messaging.rules import is_dead_letter
from tessera.messaging.selectors import outbox_dead_letters
from tessera.messaging.services import outbox_retry


class OutboxStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("pending", _("Pending")), ("dead", _("Dead letter")), ("processed", _("Processed"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        dead = outbox_dead_letters(attempts_max=conf.outbox_attempts_max())
        if self.value() == "pending":
            return queryset.filter(Q(processed_at__isnull=True) & ~dead)
        if self.value() == "dead":
            return queryset.filter(dead)
        if self.value() == "processed":
            return queryset.filter(processed_at__isnull=False)
        return queryset


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "state", "attempts", "available_at", "processed_at", "created_at", "error_line")
    list_filter = (OutboxStateFilter, "kind")
    search_fields = ("=id", "=dedupe_key", "kind")
    date_hierarchy = "created_at"
    actions = ["retry_now"]  # type: ignore[assignment]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        # Messages belong to no one merchant (yet): only platform admins see the outbox.
        queryset = admin.ModelAdmin.get_queryset(self, request)
        return queryset if request.user.is_superuser else queryset.none()

    @admin.display(description=_("state"))
    def state(self, message: OutboxMessage) -> str:
        if message.processed_at is not None:
            return str(_("Processed"))
        dead = is_dead_letter(attempts=message.attempts, processed=False, attempts_max=conf.outbox_attempts_max())
        return str(_("Dead letter")) if dead else str(_("Pending"))

    @admin.display(description=_("last error"))
    def error_line(self, message: OutboxMessage) -> str:
        lines = message.last_error.strip().splitlines()
        return lines[-1][:120] if lines else ""

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    @admin.action(description=_("Retry now"), permissions=["retry"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        count = outbox_retry(message_ids=queryset.values_list("id", flat=True), now=clock_now())
        text = ngettext(
            "%(count)d message will be delivered again shortly.",
            "%(count)d messages will be delivered again shortly.",
            count,
        )
        self.message_user(request, text % {"count": count}, messages.SUCCESS)


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    merchant_path = "program__owner_id"
    list_display = ("local_date", "job", "program", "status", "attempts", "started_at", "finished_at", "worker")
    list_filter = ("status", "job")
    list_select_related = ("program",)
    search_fields = ("job", "=program__public_id")
    date_hierarchy = "local_date"
