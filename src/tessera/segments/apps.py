from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SegmentsConfig(AppConfig):
    name = "tessera.segments"
    verbose_name = _("Segments")

    def ready(self) -> None:
        from tessera.segments import jobs  # noqa: F401  (registers the nightly refresh in every process)
