from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _guards_reinstall(using: str = "default", **kwargs: Any) -> None:
    # SQLite applies many schema changes by rebuilding the table, which drops its triggers; so after every
    # migrate the append-only guards are put back (installing is idempotent on both backends).
    from django.db import connections

    from tessera.ledger.guards import guards_install

    guards_install(connections[using])


class LedgerConfig(AppConfig):
    name = "tessera.ledger"
    verbose_name = _("Ledger")

    def ready(self) -> None:
        post_migrate.connect(_guards_reinstall, sender=self, dispatch_uid="tessera.ledger.guards")
