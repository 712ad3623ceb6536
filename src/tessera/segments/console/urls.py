from django.urls import path, register_converter

from tessera.segments.console import builder, views


class SegmentIdConverter:
    """Only segment public ids in URLs."""

    regex = "seg_[0-9a-z]{26}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(SegmentIdConverter, "segment_id")

_SEGMENT = "<segment_id:segment_id>/"

app_name = "segments"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", builder.create, name="create"),
    path("count/", builder.count, name="count"),
    path("rows/", builder.rows, name="rows"),
    path(_SEGMENT, views.detail, name="detail"),
    path(f"{_SEGMENT}edit/", builder.edit, name="update"),
    path(f"{_SEGMENT}refresh/", views.refresh, name="refresh"),
    path(f"{_SEGMENT}delete/", views.delete, name="delete"),
    path(f"{_SEGMENT}export.csv", views.export, name="export"),
]
