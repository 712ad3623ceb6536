from django.urls import URLPattern, path

from tessera.analytics.console import statements_views

app_name = "statements"
urlpatterns: list[URLPattern] = [
    path("<member_id:member_id>/statement/", statements_views.member_statement, name="member"),
]
