from django.urls import URLPattern

app_name = "crm"
urlpatterns: list[URLPattern] = []
