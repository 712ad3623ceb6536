from django.urls import URLPattern, path

from tessera.crm.console import views, views_tags, views_write

# The member_id converter is the members area's: only public member ids in URLs, never card numbers or codes.
from tessera.members.console import urls as _members_urls  # noqa: F401

app_name = "crm"
urlpatterns: list[URLPattern] = [
    path("tags/", views_tags.tags, name="tags"),
    path("tags/rename/", views_tags.tag_rename_view, name="tag-rename"),
    path("tags/delete/", views_tags.tag_delete_view, name="tag-delete"),
    path("<member_id:member_id>/profile/", views.profile, name="profile"),
    path("<member_id:member_id>/profile/edit/", views_write.profile_edit, name="profile-edit"),
    path("<member_id:member_id>/profile/reveal/", views_write.profile_reveal, name="profile-reveal"),
    path("<member_id:member_id>/tags/add/", views_write.tag_add, name="tag-add"),
    path("<member_id:member_id>/tags/remove/", views_write.tag_remove, name="tag-remove"),
    path("<member_id:member_id>/360/", views.member_360, name="member-360"),
]
