from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Documents, their lines and tenders are written once: a receipt replayed to a POS must be the one first sent.
DOCUMENT_TABLES = ("checkout_document", "checkout_documentline", "checkout_tender")


class CheckoutConfig(AppConfig):
    name = "tessera.checkout"
    verbose_name = _("Checkout")

    def ready(self) -> None:
        # Imported here: the app registry must be ready before these modules load models.
        from tessera.checkout.checks import register
        from tessera.ledger.guards import guard_tables_register

        register()
        guard_tables_register(*DOCUMENT_TABLES)
