from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckoutConfig(AppConfig):
    name = "tessera.checkout"
    verbose_name = _("Checkout")

    def ready(self) -> None:
        from tessera.checkout.checks import register

        register()
