from django.urls import path

from tessera.analytics.console import dashboard_views

app_name = "analytics"
urlpatterns = [
    path("", dashboard_views.overview, name="overview"),
    path("score/", dashboard_views.score, name="score"),
]
