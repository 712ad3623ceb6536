from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MallConfig(AppConfig):
    name = "tessera.mall"
    verbose_name = _("Points mall")

    def ready(self) -> None:
        # Imported here: the app registry must be ready before these modules load models.
        from tessera.mall.checks import register

        register()
