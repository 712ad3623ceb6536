"""Cashier screens: every write changes balances exactly once, even when the same form is posted twice.

Worked example used throughout (CNY, 1 point per yuan not paid from stored value, proportional spending):
the member holds 500.00 principal + 50.00 bonus; a sale of 2 x 129.00 = 258.00 is paid 110.00 from stored
value and 148.00 in cash. Stored value splits 100.00 principal + 10.00 bonus; 148.00 earns 148 points.
"""

from __future__ import annotations

import pytest

from tessera.checkout.models import Document
from tessera.console.tests.helpers import balances_of, console, sale_data, token_of
from tessera.idempotency.models import IdempotencyRecord
from tessera.ledger.models import Posting

pytestmark = pytest.mark.django_db


def _sale(client, member, lines=(("Shirt", 2, "129.00"),), tenders=(("stored_value", "110.00"), ("cash", "148.00"))):
    token = token_of(client.get(f"/checkout/sale/?member={member.public_id}").content.decode())
    return sale_data(token, member.public_id, list(lines), list(tenders))


def _counts():
    return (Document.objects.count(), Posting.objects.count(), IdempotencyRecord.objects.count())


class TestSale:
    def test_the_quote_shows_the_outcome_and_writes_nothing(self, org, cashier_a, wallet_member):
        client = console(cashier_a, org.a)
        data = _sale(client, wallet_member)
        before = _counts()
        response = client.post("/checkout/sale/quote/", data)
        assert response.status_code == 200
        quote = response.context["quote"]
        assert quote["total_minor"] == 25_800
        assert quote["stored_value"] == {"principal_minor": 10_000, "bonus_minor": 1_000}
        assert quote["points"]["earned"] == 148
        assert "/checkout/sale/commit/" in response.content.decode()
        assert _counts() == before

    def test_committing_twice_records_the_sale_once(self, org, cashier_a, wallet_member):
        client = console(cashier_a, org.a)
        data = _sale(client, wallet_member)
        first = client.post("/checkout/sale/commit/", data)
        again = client.post("/checkout/sale/commit/", data)
        assert first.status_code == again.status_code == 302
        assert first["Location"] == again["Location"]
        assert Document.objects.filter(kind="sale").count() == 1
        balances = balances_of(wallet_member)
        assert (balances.points, balances.sv_principal_minor, balances.sv_bonus_minor) == (148, 40_000, 4_000)
        receipt = client.get(again["Location"])
        assert "nothing was posted twice" in receipt.content.decode()

    def test_the_same_form_changed_after_commit_is_refused_and_renewed(self, org, cashier_a, wallet_member):
        client = console(cashier_a, org.a)
        data = _sale(client, wallet_member)
        client.post("/checkout/sale/commit/", data)
        changed = {**data, "lines-0-quantity": "1", "tenders-1-amount": "19.00"}
        response = client.post("/checkout/sale/commit/", changed)
        assert response.status_code == 200
        assert "already used for a different request" in response.content.decode()
        assert token_of(response.content.decode()) != data["token"]  # the next submit is a new sale
        assert Document.objects.filter(kind="sale").count() == 1

    def test_tenders_that_do_not_pay_the_total_are_refused(self, org, cashier_a, wallet_member):
        client = console(cashier_a, org.a)
        data = _sale(client, wallet_member, tenders=(("cash", "100.00"),))
        before = _counts()
        response = client.post("/checkout/sale/commit/", data)
        assert response.status_code == 200
        assert "The payments add up to CN¥100.00 but the document totals CN¥258.00." in response.content.decode()
        assert _counts() == before

    def test_more_stored_value_than_the_member_holds_is_refused(self, org, cashier_a, wallet_member):
        client = console(cashier_a, org.a)
        data = _sale(client, wallet_member, lines=(("Coat", 1, "900.00"),), tenders=(("stored_value", "900.00"),))
        before = _counts()
        response = client.post("/checkout/sale/commit/", data)
        assert "The balance is not enough" in response.content.decode()
        assert _counts() == before
        assert balances_of(wallet_member).sv_total_minor == 55_000

    def test_amounts_with_too_many_decimals_are_a_field_error(self, org, cashier_a, wallet_member):
        client = console(cashier_a, org.a)
        data = _sale(client, wallet_member, lines=(("Shirt", 1, "12.345"),), tenders=(("cash", "12.35"),))
        response = client.post("/checkout/sale/quote/", data)
        assert "at most 2 decimal places" in response.content.decode()

    def test_an_unknown_member_is_refused(self, org, cashier_a, wallet_member):
        client = console(cashier_a, org.a)
        data = {**_sale(client, wallet_member), "member": "8000000000000000"}
        before = _counts()
        response = client.post("/checkout/sale/commit/", data)
        assert "No member matches" in response.content.decode()
        assert _counts() == before

    def test_another_row_is_served_with_the_form_count(self, org, cashier_a):
        response = console(cashier_a, org.a).get(
            "/checkout/sale/row/?kind=lines&index=3", headers={"HX-Request": "true"}
        )
        html = response.content.decode()
        assert 'name="lines-3-sku"' in html
        assert 'id="id_lines-TOTAL_FORMS" hx-swap-oob="true"' in html
        assert 'value="4"' in html
        assert "index=4" in html


class TestTopUp:
    def test_posting_twice_tops_up_once_with_the_bonus(self, org, cashier_a, member):
        client = console(cashier_a, org.a)
        token = token_of(client.get(f"/checkout/top-up/?member={member.public_id}").content.decode())
        data = {"token": token, "member": member.public_id, "amount": "600.00", "tender": "wechat_pay"}
        first = client.post("/checkout/top-up/", data)
        again = client.post("/checkout/top-up/", data)
        assert first["Location"] == again["Location"]
        balances = balances_of(member)
        assert (balances.sv_principal_minor, balances.sv_bonus_minor) == (60_000, 5_000)
        assert Document.objects.filter(kind="top_up").count() == 1

    def test_stored_value_cannot_pay_for_a_top_up(self, org, cashier_a, member):
        client = console(cashier_a, org.a)
        token = token_of(client.get("/checkout/top-up/").content.decode())
        data = {"token": token, "member": member.public_id, "amount": "100", "tender": "stored_value"}
        response = client.post("/checkout/top-up/", data)
        assert response.status_code == 200
        assert response.context["form"].errors["tender"]
        assert balances_of(member).sv_total_minor == 0


class TestRedemption:
    def test_posting_twice_redeems_once(self, org, cashier_a, wallet_member):
        client = console(cashier_a, org.a)
        client.post("/checkout/sale/commit/", _sale(client, wallet_member))
        token = token_of(client.get("/checkout/redeem/").content.decode())
        data = {"token": token, "member": wallet_member.card_number, "points": "100", "note": "Tote bag"}
        first = client.post("/checkout/redeem/", data)
        again = client.post("/checkout/redeem/", data)
        assert first["Location"] == again["Location"]
        assert balances_of(wallet_member).points == 48

    def test_redeeming_more_points_than_held_is_refused(self, org, cashier_a, wallet_member):
        client = console(cashier_a, org.a)
        token = token_of(client.get("/checkout/redeem/").content.decode())
        before = _counts()
        response = client.post("/checkout/redeem/", {"token": token, "member": wallet_member.public_id, "points": "5"})
        assert "The balance is not enough: 0 points available, 5 points requested." in response.content.decode()
        assert _counts() == before


class TestReturn:
    def _sold(self, client, member):
        client.post("/checkout/sale/commit/", _sale(client, member))
        return Document.objects.get(kind="sale")

    def test_the_members_sales_at_this_store_are_listed(self, org, cashier_a, wallet_member):
        client = console(cashier_a, org.a)
        sale = self._sold(client, wallet_member)
        response = client.get(f"/checkout/returns/?member={wallet_member.card_number}")
        assert [s.id for s in response.context["sales"]] == [sale.id]

    def test_a_partial_then_a_full_return_each_post_once(self, org, cashier_a, wallet_member):
        client = console(cashier_a, org.a)
        sale = self._sold(client, wallet_member)
        url = f"/checkout/returns/{sale.public_id}/"
        token = token_of(client.get(url).content.decode())
        partial = {"token": token, "mode": "selected", "line_1": "1"}
        assert client.post(url, partial)["Location"] == client.post(url, partial)["Location"]
        balances = balances_of(wallet_member)
        # Half the goods value: 74 of 148 points back, 50.00 principal and 5.00 bonus refunded.
        assert (balances.points, balances.sv_principal_minor, balances.sv_bonus_minor) == (74, 45_000, 4_500)
        token = token_of(client.get(url).content.decode())
        rest = {"token": token, "mode": "all"}
        assert client.post(url, rest)["Location"] == client.post(url, rest)["Location"]
        balances = balances_of(wallet_member)
        assert (balances.points, balances.sv_principal_minor, balances.sv_bonus_minor) == (0, 50_000, 5_000)
        assert Document.objects.filter(kind="return").count() == 2

    def test_returning_more_than_is_left_is_a_field_error(self, org, cashier_a, wallet_member):
        client = console(cashier_a, org.a)
        sale = self._sold(client, wallet_member)
        url = f"/checkout/returns/{sale.public_id}/"
        token = token_of(client.get(url).content.decode())
        response = client.post(url, {"token": token, "mode": "selected", "line_1": "3"})
        assert response.context["form"].errors["line_1"]
        assert not Document.objects.filter(kind="return").exists()

    def test_nothing_selected_is_refused(self, org, cashier_a, wallet_member):
        client = console(cashier_a, org.a)
        sale = self._sold(client, wallet_member)
        url = f"/checkout/returns/{sale.public_id}/"
        token = token_of(client.get(url).content.decode())
        response = client.post(url, {"token": token, "mode": "selected", "line_1": "0"})
        assert "Enter a quantity to return" in response.content.decode()
        assert not Document.objects.filter(kind="return").exists()

    def test_a_sale_of_another_store_cannot_be_returned_here(self, org, hq, wallet_member):
        client = console(hq, org.a)
        sale = self._sold(client, wallet_member)
        client.post("/store/", {"store": org.b.public_id})
        assert client.get(f"/checkout/returns/{sale.public_id}/").status_code == 404


class TestSaleWithCoupons:
    def test_the_quote_picks_the_coupon_and_the_commit_uses_it(self, org, cashier_a, wallet_member):
        from tessera.coupons.models import Coupon, CouponTemplate
        from tessera.coupons.services import coupons_issue
        from tessera.kit.clock import now

        CouponTemplate.objects.create(program=wallet_member.program, code="C20", kind="cash", amount_minor=2_000,
                                      valid_days=30)  # fmt: skip
        actor = console_actor(org)
        (coupon,) = coupons_issue(actor=actor, template_code="C20", members=[wallet_member], now=now())
        client = console(cashier_a, org.a)
        # 258.00 less the 20.00 coupon: 110.00 from stored value and 128.00 in cash.
        data = _sale(client, wallet_member, tenders=(("stored_value", "110.00"), ("cash", "128.00")))
        quoted = client.post("/checkout/sale/quote/", data)
        assert quoted.context["quote"]["total_minor"] == 23_800, quoted.context["quote"]["coupons"]
        page = quoted.content.decode()
        assert coupon.code in page
        assert Coupon.objects.get(pk=coupon.pk).state == "held"
        committed = client.post("/checkout/sale/commit/", {**data, "coupons": coupon.code})
        assert committed.status_code == 302
        assert Coupon.objects.get(pk=coupon.pk).state == "redeemed"


def console_actor(org):
    from tessera.kit.actor import Actor

    return Actor(store_id=org.a.id, merchant_id=org.a.merchant_id, currency="CNY", system="test")


class TestTopUpRefund:
    """The wallet member topped up 500.00 (+50.00 bonus, receipt SEED-1) at store A."""

    def _post(self, client, **fields):
        token = token_of(client.get("/checkout/top-up/refund/?original=SEED-1").content.decode())
        return client.post("/checkout/top-up/refund/", {"token": token, "original": "SEED-1", "tender": "cash",
                                                        **fields})  # fmt: skip

    def test_a_partial_refund_shows_what_to_pay_back_and_posts_once(self, org, cashier_a, wallet_member):
        client = console(cashier_a, org.a)
        token = token_of(client.get("/checkout/top-up/refund/?original=SEED-1").content.decode())
        data = {"token": token, "original": "SEED-1", "amount": "200.00", "tender": "wechat_pay"}
        first = client.post("/checkout/top-up/refund/", data)
        again = client.post("/checkout/top-up/refund/", data)
        assert first.status_code == 302
        assert first["Location"] == again["Location"]
        page = client.get(first["Location"]).content.decode()
        assert "SEED-1" in page
        assert "¥200.00" in page
        assert "¥20.00" in page  # 200 of 500 takes 20 of the 50 bonus
        balances = balances_of(wallet_member)
        assert (balances.sv_principal_minor, balances.sv_bonus_minor) == (30_000, 3_000)
        assert Document.objects.filter(kind="top_up_refund").count() == 1

    def test_an_empty_amount_refunds_everything_left(self, org, cashier_a, wallet_member):
        response = self._post(console(cashier_a, org.a), amount="")
        assert response.status_code == 302
        assert balances_of(wallet_member).sv_total_minor == 0

    def test_a_refusal_is_shown_translated_and_changes_nothing(self, org, cashier_a, wallet_member):
        client = console(cashier_a, org.a)
        client.cookies["django_language"] = "zh-hans"
        response = self._post(client, amount="600.00")
        assert response.status_code == 200
        assert "可退" in response.content.decode()
        assert balances_of(wallet_member).sv_total_minor == 55_000
        assert not Document.objects.filter(kind="top_up_refund").exists()

    def test_a_top_up_of_another_store_is_not_found_here(self, org, hq, wallet_member):
        response = self._post(console(hq, org.b))
        assert response.status_code == 200
        assert response.context["form"].non_field_errors()
        assert balances_of(wallet_member).sv_total_minor == 55_000
