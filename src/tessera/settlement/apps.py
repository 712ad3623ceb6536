from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

APPEND_ONLY = ("settlement_settlementperiod", "settlement_storestatement", "settlement_obligation",
               "settlement_transfer", "settlement_merchantstatement", "settlement_merchanttransfer")  # fmt: skip


class SettlementConfig(AppConfig):
    name = "tessera.settlement"
    verbose_name = _("Settlement")

    def ready(self) -> None:
        # Imported here: the app registry must be ready before these modules load models.
        from tessera.ledger.guards import guard_tables_register
        from tessera.settlement import jobs  # noqa: F401  (registers the monthly close in every process)
        from tessera.settlement.checks import register

        # A closed month never changes; corrections are adjustment postings in a later month.
        guard_tables_register(*APPEND_ONLY)
        register()
