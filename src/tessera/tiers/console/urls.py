from django.urls import URLPattern

app_name = "tiers"
urlpatterns: list[URLPattern] = []
