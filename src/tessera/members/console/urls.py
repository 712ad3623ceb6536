from django.urls import path, register_converter

from tessera.members.console import views, views_write


class MemberIdConverter:
    """Only public member ids in URLs, never card numbers or card codes (which are credentials)."""

    regex = "mbr_[0-9a-z]{26}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(MemberIdConverter, "member_id")

app_name = "members"
urlpatterns = [
    path("", views.member_search, name="search"),
    path("create/", views_write.member_create, name="create"),
    path("<member_id:member_id>/", views.member_detail, name="detail"),
    path("<member_id:member_id>/history/", views.member_history, name="history"),
    path("<member_id:member_id>/update/", views_write.member_edit, name="update"),
    path("<member_id:member_id>/status/", views_write.member_status, name="status"),
    path("<member_id:member_id>/close/", views_write.member_close, name="close"),
    path("<member_id:member_id>/card-code/", views_write.member_card_code, name="card-code"),
    path("<member_id:member_id>/reveal/", views_write.member_reveal, name="reveal"),
    path("<member_id:member_id>/history-sharing/", views_write.member_history_sharing, name="history-sharing"),
]
