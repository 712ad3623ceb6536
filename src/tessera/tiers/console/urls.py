from django.urls import path

from tessera.tiers.console import views

app_name = "tiers"
urlpatterns = [
    path("designer/", views.designer, name="designer"),
    path("designer/compare/", views.compare, name="designer-compare"),
]
