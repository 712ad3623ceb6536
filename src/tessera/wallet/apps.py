from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WalletConfig(AppConfig):
    name = "tessera.wallet"
    verbose_name = _("Stored value")

    def ready(self) -> None:
        # Imported here: the app registry must be ready before these modules load models.
        from tessera.wallet.checks import register

        register()
