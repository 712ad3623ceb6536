"""Every console page renders in English, Simplified Chinese, Traditional Chinese and Korean."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from tessera.checkout.models import Document
from tessera.console.tests.helpers import console, sale_data, token_of
from tessera.devtools import messages

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
MEMBERS_WORD = {"en": "Members", "zh-hans": "会员", "zh-hant": "會員", "ko": "회원"}


def _pages(member, sale, top_up):
    """(url, a message the page must show) for every console page a manager can open."""
    return [
        ("/", "Find a member by phone number, card number or card code"),
        ("/store/", "Choose your store"),
        ("/members/", "Phone number, card number or card code"),
        ("/members/?q=13999999999", "Enrol a member"),
        (f"/members/{member.public_id}/", "Balances"),
        (f"/members/{member.public_id}/history/", "Back to the member"),
        (f"/members/{member.public_id}/update/", "Edit member details"),
        ("/members/create/", "Preferred language"),
        (f"/checkout/sale/?member={member.public_id}", "Add a line"),
        ("/checkout/top-up/", "Paid by"),
        ("/checkout/redeem/", "The gift or service given for the points."),
        ("/checkout/top-up/refund/", "Leave empty to refund all that is left of the top-up."),
        (f"/checkout/returns/?member={member.public_id}", "Show sales"),
        (f"/checkout/returns/{sale.public_id}/", "Return everything not yet returned"),
        (f"/checkout/documents/{top_up.public_id}/", "Balances after"),
        ("/checkout/report/", "Points issued"),
        ("/members/mbr_01jzzzzzzzzzzzzzzzzzzzzzzz/", "This page does not exist, or it belongs to another store."),
    ]


@pytest.fixture
def sold(org, manager_a, wallet_member):
    client = console(manager_a, org.a)
    token = token_of(client.get("/checkout/sale/").content.decode())
    client.post(
        "/checkout/sale/commit/", sale_data(token, wallet_member.public_id, [("Shirt", 1, "99")], [("cash", "99")])
    )
    return Document.objects.get(kind="sale")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_console_page_renders_in_the_language(org, manager_a, wallet_member, sold, language):
    client = console(manager_a, org.a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    top_up = Document.objects.get(kind="top_up")
    for url, msgid in _pages(wallet_member, sold, top_up):
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code in (200, 404), url
        assert f'<html lang="{language}">' in html, url
        with translation.override(language):
            expected = translation.gettext(msgid)
        if language != "en":
            assert expected != msgid, f"{msgid!r} has no {language} translation"
        assert expected in html, (url, language, expected)
        assert MEMBERS_WORD[language] in html, (url, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_sign_in_and_refusal_pages_are_translated(org, cashier_a, language):
    anonymous = Client()
    anonymous.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    refused = console(cashier_a, org.a)
    refused.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    with translation.override(language):
        sign_in, not_allowed = translation.gettext("Sign in to Tessera"), translation.gettext("Not allowed")
    assert sign_in in anonymous.get("/login/").content.decode()
    response = refused.get("/checkout/report/")
    assert response.status_code == 403
    assert not_allowed in response.content.decode()


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("zh-hans", "余额不足"),
        ("zh-hant", "餘額不足"),
        ("ko", "잔액이 부족합니다"),
    ],
)
def test_service_errors_are_shown_in_the_staff_members_language(org, cashier_a, wallet_member, language, text):
    client = console(cashier_a, org.a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    token = token_of(client.get("/checkout/redeem/").content.decode())
    response = client.post("/checkout/redeem/", {"token": token, "member": wallet_member.public_id, "points": "7"})
    assert text in response.content.decode()


def test_the_committed_catalogues_are_complete_and_compiled():
    assert [str(p) for p in messages.check()] == []
