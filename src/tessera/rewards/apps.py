from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RewardsConfig(AppConfig):
    name = "tessera.rewards"
    verbose_name = _("Monthly gifts")

    def ready(self) -> None:
        # Registers the lapse job in every process, not only where the worker autodiscovers ``jobs`` modules.
        from tessera.programs.config_cache import config_table_register
        from tessera.rewards import jobs  # noqa: F401

        # Checkout caches the programme's gift ladders and their steps per configuration version.
        config_table_register("rewards_giftladder")
        config_table_register(
            "rewards_giftstep", "(SELECT program_id FROM rewards_giftladder WHERE id = {row}.ladder_id)"
        )
