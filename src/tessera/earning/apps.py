from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EarningConfig(AppConfig):
    name = "tessera.earning"
    verbose_name = _("Earning rules")

    def ready(self) -> None:
        from tessera.programs.config_cache import config_table_register

        config_table_register("earning_earningrule")  # checkout caches the rules per configuration version
