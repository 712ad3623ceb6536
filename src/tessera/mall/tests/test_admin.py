"""The mall item admin: stock per store edited inline as units to add, scoped to the staff member's merchant."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from tessera.access.models import StaffUser
from tessera.audit.models import AuditRecord
from tessera.kit.clock import now
from tessera.mall.models import MallStoreStock
from tessera.mall.services import mall_order_place
from tessera.mall.tests.factories import item_new, points_give, store_stock, store_stock_give
from tessera.programs.models import ProgramMerchant
from tessera.testing import key, member_new, world_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return world_build(stores=3)


@pytest.fixture
def root():
    user = StaffUser.objects.create_superuser(username="root", password="root password 123", email="")
    client = Client()
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def bag(world):
    item = item_new(world.program, stock=0)
    store_stock_give(item, world.a, 5)
    return item


def change_url(item):
    return reverse("admin:mall_mallitem_change", args=[item.pk])


def item_form(item, rows=(), new=(), stock=0):
    """The change form of ``item``: ``rows`` are (existing row, units to add), ``new`` are (store, units)."""
    data = {"program": item.program_id, "kind": item.kind, "name": item.name, "description": "", "image_url": "",
            "points_price": item.points_price, "cash_minor": item.cash_minor, "coupon_template": "", "stock": stock,
            "tier_codes": "[]", "active_from_0": "", "active_from_1": "", "active_until_0": "",
            "active_until_1": "", "is_active": "on", "translations-TOTAL_FORMS": "0",
            "translations-INITIAL_FORMS": "0", "store_stocks-TOTAL_FORMS": str(len(rows) + len(new)),
            "store_stocks-INITIAL_FORMS": str(len(rows))}  # fmt: skip
    for i, (row, units) in enumerate(rows):
        data |= {f"store_stocks-{i}-id": row.pk, f"store_stocks-{i}-item": item.pk, f"store_stocks-{i}-units": units}
    for i, (store, units) in enumerate(new, start=len(rows)):
        data |= {f"store_stocks-{i}-store": store.pk, f"store_stocks-{i}-item": item.pk,
                 f"store_stocks-{i}-units": units}  # fmt: skip
    return data


def row_at(item, shop):
    return MallStoreStock.objects.get(item=item, store=shop.store)


def test_the_change_page_shows_each_stores_stock(root, world, bag):
    page = root.get(change_url(bag))
    assert page.status_code == 200
    assert "store_stocks-0-units" in page.content.decode()


def test_units_to_add_restock_a_store_and_list_a_new_one(root, world, bag):
    data = item_form(bag, rows=[(row_at(bag, world.a), 10)], new=[(world.shops[2].store, 4)])
    response = root.post(change_url(bag), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert store_stock(bag, world.a) == (15, 15)
    assert store_stock(bag, world.shops[2]) == (4, 4)
    assert AuditRecord.objects.filter(action="mall.stock_add", staff_id=root.user.pk).count() == 2


def test_units_ordered_while_the_form_was_open_are_not_lost(root, world, bag):
    # The page showed 5 at store A; meanwhile a till orders 2. Adding 10 makes 13, not 15: the add is relative.
    form = item_form(bag, rows=[(row_at(bag, world.a), 10)])
    member = member_new(world)
    points_give(world.a, member, 1000)
    mall_order_place(actor=world.a.actor, member=member, item_id=bag.public_id, quantity=2, request_key=key(),
                     now=now())  # fmt: skip
    assert root.post(change_url(bag), form).status_code == 302
    assert store_stock(bag, world.a) == (13, 15)


def test_taking_away_more_than_is_left_shows_a_translated_error_and_changes_nothing(root, world, bag):
    response = root.post(change_url(bag), item_form(bag, rows=[(row_at(bag, world.a), -6)]),
                         HTTP_ACCEPT_LANGUAGE="ko")  # fmt: skip
    assert response.status_code == 200
    assert "재고는 음수일 수 없습니다." in response.content.decode()
    assert store_stock(bag, world.a) == (5, 5)


def test_minus_one_for_a_new_store_is_refused(root, world, bag):
    response = root.post(change_url(bag), item_form(bag, rows=[(row_at(bag, world.a), 0)],
                                                    new=[(world.b.store, -1)]))  # fmt: skip
    assert response.status_code == 200
    assert "Stock cannot be negative." in response.content.decode()
    assert not MallStoreStock.objects.filter(item=bag, store=world.b.store).exists()


def test_an_item_cannot_keep_stock_in_its_pool_and_per_store_at_once(root, world, bag):
    response = root.post(change_url(bag), item_form(bag, rows=[(row_at(bag, world.a), 0)], stock=3))
    assert response.status_code == 200
    assert "set it to 0 before adding stock per store" in response.content.decode()
    bag.refresh_from_db()
    assert (bag.stock, store_stock(bag, world.a)) == (0, (5, 5))


def test_moving_a_pool_item_to_stock_per_store_in_one_save(root, world):
    item = item_new(world.program, stock=4)
    response = root.post(change_url(item), item_form(item, new=[(world.a.store, 4)], stock=0))
    assert response.status_code == 302, response.content.decode()[:3000]
    item.refresh_from_db()
    assert ((item.stock, item.stock_given), store_stock(item, world.a)) == ((0, 0), (4, 4))


def test_a_store_outside_the_programme_is_refused(root, world, bag):
    other = world_build(name="Other")
    response = root.post(change_url(bag), item_form(bag, rows=[(row_at(bag, world.a), 0)],
                                                    new=[(other.a.store, 3)]))  # fmt: skip
    assert response.status_code == 200
    assert "This store does not serve the item&#x27;s programme." in response.content.decode()
    assert not MallStoreStock.objects.filter(store=other.a.store).exists()


def test_merchant_staff_see_and_offer_only_their_own_stores(world, bag):
    partner = world_build(name="Partner", stores=1)
    ProgramMerchant.objects.create(program=world.program, merchant=partner.merchant, role="partner")
    store_stock_give(bag, partner.a, 7)
    staff = StaffUser.objects.create_user(username="hq.mall", password="x password 123", role="hq_admin",
                                          merchant=world.merchant, is_staff=True)  # fmt: skip
    staff.user_permissions.set(Permission.objects.filter(
        content_type__app_label="mall", codename__in=["view_mallitem", "change_mallitem", "view_mallstorestock",
                                                      "add_mallstorestock", "change_mallstorestock"]))  # fmt: skip
    client = Client()
    client.force_login(staff)
    page = client.get(change_url(bag))
    assert page.status_code == 200
    formset = next(f for f in page.context["inline_admin_formsets"] if f.opts.model is MallStoreStock).formset
    assert [form.instance.store_id for form in formset.forms] == [world.a.store.id]
    offered = set(formset.empty_form.fields["store"].queryset.values_list("merchant_id", flat=True))
    assert offered == {world.merchant.id}


def test_a_new_item_can_be_added_with_stock_per_store(root, world):
    template = item_new(world.program, stock=0)  # only to build the form; the new item is another row
    data = item_form(template, new=[(world.a.store, 6), (world.b.store, 2)])
    data = {k: v for k, v in data.items() if not k.endswith("-item")}  # no parent yet on the add page
    response = root.post(reverse("admin:mall_mallitem_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    item = MallStoreStock.objects.filter(store=world.a.store).get().item
    assert item.id != template.id
    assert (store_stock(item, world.a), store_stock(item, world.b)) == ((6, 6), (2, 2))
