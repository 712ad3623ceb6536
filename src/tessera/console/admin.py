from django.contrib import admin
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Tessera administration")
admin.site.site_title = _("Tessera")
admin.site.index_title = _("Back office")
