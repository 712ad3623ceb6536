from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "tessera.programs"
    verbose_name = _("Membership programs")
