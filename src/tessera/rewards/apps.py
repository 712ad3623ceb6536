from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RewardsConfig(AppConfig):
    name = "tessera.rewards"
    verbose_name = _("Monthly gifts")

    def ready(self) -> None:
        # Registers the lapse job in every process, not only where the worker autodiscovers ``jobs`` modules.
        from tessera.rewards import jobs  # noqa: F401
