from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "tessera.crm"
    verbose_name = _("Member profiles and tags")
