"""Tessera: membership and loyalty for stores, chains and merchant alliances."""

__version__ = "0.1.0"
