from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "tessera.points"
    verbose_name = _("Points lots and expiry")

    def ready(self) -> None:
        # Imported here: the app registry must be ready before these modules load models.
        from tessera.points.checks import register

        register()
