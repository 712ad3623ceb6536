from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EarningConfig(AppConfig):
    name = "tessera.earning"
    verbose_name = _("Earning rules")
