"""Checkout writes: sales (quote and commit), returns, top-ups and points redemptions."""

from tessera.checkout.services.redemption import points_redeem
from tessera.checkout.services.returns import return_commit
from tessera.checkout.services.sale import sale_commit, sale_quote
from tessera.checkout.services.top_up import top_up_commit, top_up_quote
from tessera.checkout.services.top_up_refund import top_up_refund_commit

__all__ = [
    "points_redeem",
    "return_commit",
    "sale_commit",
    "sale_quote",
    "top_up_commit",
    "top_up_quote",
    "top_up_refund_commit",
]
