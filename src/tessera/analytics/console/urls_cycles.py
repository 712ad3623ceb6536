from django.urls import URLPattern

app_name = "cycles"
urlpatterns: list[URLPattern] = []
