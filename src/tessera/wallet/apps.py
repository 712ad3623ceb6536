from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WalletConfig(AppConfig):
    name = "tessera.wallet"
    verbose_name = _("Stored value")

    def ready(self) -> None:
        # Imported here: the app registry must be ready before these modules load models.
        from tessera.members.hooks import on_stored_value_usable
        from tessera.wallet.checks import register
        from tessera.wallet.selectors import stored_value_usable_minor

        register()
        on_stored_value_usable(stored_value_usable_minor)
