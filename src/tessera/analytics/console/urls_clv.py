from django.urls import path

from tessera.analytics.console import clv_views

app_name = "clv"
urlpatterns = [
    path("", clv_views.index, name="index"),
]
