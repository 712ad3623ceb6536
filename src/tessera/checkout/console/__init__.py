"""Cashier screens of the staff console (sale, top-up, return, points redemption), receipts and the store report."""
