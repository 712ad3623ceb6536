from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tessera.kit.errors import Conflict, Invalid, NotFound


class MallItemNotFound(NotFound):
    # One answer for an unknown item, another programme's item and another merchant's item.
    code = "mall_item_not_found"
    message = _("No such item in this programme's mall.")


class MallOrderNotFound(NotFound):
    code = "mall_order_not_found"
    message = _("No such mall order.")


class MallQuantityInvalid(Invalid):
    code = "mall_quantity_invalid"
    message = _("The quantity must be a whole number from 1 to %(max)s.")


class MallItemNotOrderable(Conflict):
    code = "mall_item_not_orderable"
    message = _("This item cannot be ordered now.")


class MallTierNotAllowed(Conflict):
    code = "mall_tier_not_allowed"
    message = _("This item is for members of other tiers.")


class MallOutOfStock(Conflict):
    code = "mall_out_of_stock"
    message = _("Not enough stock: %(stock)s left.")


class MallOutOfStockAtStore(MallOutOfStock):
    # The same code as the pool's: a till that knows "out of stock" needs nothing new; the message says where.
    message = _("Not enough stock at this store: %(stock)s left.")


class MallStockInvalid(Invalid):
    code = "mall_stock_invalid"
    message = _("Stock cannot be negative.")


class MallStockPoolInUse(Conflict):
    code = "mall_stock_pool_in_use"
    message = _(
        "This item still has %(stock)s units in its programme-wide stock; set it to 0 before adding stock per store."
    )


class MallStoreNotServing(Invalid):
    code = "mall_store_not_serving"
    message = _("This store does not serve the item's programme.")


class MallTransitionRefused(Conflict):
    code = "mall_transition_refused"
    message = _("An order in state %(state)s cannot become %(target)s.")


class MallCouponAlreadyUsed(Conflict):
    code = "mall_coupon_already_used"
    message = _("The order's coupon is no longer unused, so the order cannot be cancelled.")
