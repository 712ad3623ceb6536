from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "tessera.analytics"
    verbose_name = _("Member analytics")

    def ready(self) -> None:
        # Imported here: the job module loads models, which needs the app registry ready.
        from tessera.analytics import jobs  # noqa: F401  (registers the nightly RFM run in every process)
