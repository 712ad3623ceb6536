from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TiersConfig(AppConfig):
    name = "tessera.tiers"
    verbose_name = _("Tier ladders")

    def ready(self) -> None:
        # Imported here: both modules load models, which needs the app registry ready. The worker then runs the
        # evaluation once per programme and local day, after local midnight (tessera.messaging.jobs).
        from tessera.messaging.jobs import register_job
        from tessera.tiers.services import tier_evaluation_run

        register_job("tiers.evaluation", tier_evaluation_run)
