from django.urls import path

from tessera.analytics.console import cycles_views
from tessera.members.console.urls import MemberIdConverter  # noqa: F401 (registers <member_id:...>)

app_name = "cycles"
urlpatterns = [
    path("due/", cycles_views.due_list, name="due"),
    path("<member_id:member_id>/recommendations/", cycles_views.member_recommendations, name="recommendations"),
]
