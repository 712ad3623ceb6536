"""Segments of a programme's members: conditions over profile, tags, tier, balances, RFM and dates; smart tags."""
