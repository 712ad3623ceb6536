from django.contrib import admin
from django.urls import include, path

from tessera.api.urls import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("tessera.console.urls")),
]
