from django.urls import path, register_converter

from tessera.checkout.console import views_docs, views_return, views_sale, views_wallet


class DocumentIdConverter:
    regex = "doc_[0-9a-z]{26}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(DocumentIdConverter, "document_id")

app_name = "checkout"
urlpatterns = [
    path("sale/", views_sale.sale_page, name="sale"),
    path("sale/quote/", views_sale.sale_quote_view, name="sale-quote"),
    path("sale/commit/", views_sale.sale_commit_view, name="sale-commit"),
    path("sale/row/", views_sale.sale_row, name="sale-row"),
    path("top-up/", views_wallet.top_up, name="top-up"),
    path("top-up/refund/", views_wallet.top_up_refund, name="top-up-refund"),
    path("redeem/", views_wallet.redeem, name="redeem"),
    path("returns/", views_return.return_find, name="returns"),
    path("returns/<document_id:document_id>/", views_return.return_lines, name="return-lines"),
    path("documents/<document_id:document_id>/", views_docs.document_detail, name="document"),
    path("report/", views_docs.report, name="report"),
]
