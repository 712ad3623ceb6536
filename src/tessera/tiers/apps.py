from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TiersConfig(AppConfig):
    name = "tessera.tiers"
    verbose_name = _("Tier ladders")

    def ready(self) -> None:
        # Imported here: both modules load models, which needs the app registry ready. The worker then runs the
        # evaluation once per programme and local day, after local midnight (tessera.messaging.jobs).
        from tessera.messaging.jobs import register_job
        from tessera.programs.config_cache import config_table_register
        from tessera.tiers.services import tier_evaluation_run

        register_job("tiers.evaluation", tier_evaluation_run)
        # Checkout caches the active ladder and its tiers (names included) per programme configuration version.
        config_table_register("tiers_tierladder")
        ladder_program = "(SELECT program_id FROM tiers_tierladder WHERE id = {row}.ladder_id)"
        config_table_register("tiers_tier", ladder_program)
        config_table_register(
            "tiers_tiertranslation",
            "(SELECT l.program_id FROM tiers_tierladder l JOIN tiers_tier t ON t.ladder_id = l.id"
            " WHERE t.id = {row}.tier_id)",
        )
