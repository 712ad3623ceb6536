from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _config_triggers_reinstall(using: str = "default", **kwargs: Any) -> None:
    # After every migrate, as the ledger's guards: SQLite drops a table's triggers when a migration rebuilds it.
    from django.db import connections

    from tessera.programs.config_cache import config_triggers_install

    config_triggers_install(connections[using])


class ProgramsConfig(AppConfig):
    name = "tessera.programs"
    verbose_name = _("Membership programs")

    def ready(self) -> None:
        post_migrate.connect(_config_triggers_reinstall, sender=self, dispatch_uid="tessera.programs.config")
