"""Public identifiers: prefixed ULIDs such as ``mbr_01J9...`` so a wrong-type id shows in logs."""

from __future__ import annotations

from ulid import ULID

PREFIXES = frozenset(
    {"mch", "sto", "prg", "mbr", "pst", "doc", "trm", "key", "stf", "aud", "rwg", "cpt", "cpn", "mit", "mor", "tbr"}
    | {"stl", "all", "imp"}
)


def new_public_id(prefix: str) -> str:
    assert prefix in PREFIXES, prefix
    return f"{prefix}_{str(ULID()).lower()}"


def public_id_has_prefix(value: str, prefix: str) -> bool:
    return value.startswith(prefix + "_") and len(value) == len(prefix) + 27


# Named defaults for model fields (migrations can reference a module-level function, not a lambda).
def merchant_id() -> str:
    return new_public_id("mch")


def store_id() -> str:
    return new_public_id("sto")


def program_id() -> str:
    return new_public_id("prg")


def member_id() -> str:
    return new_public_id("mbr")


def posting_id() -> str:
    return new_public_id("pst")


def document_id() -> str:
    return new_public_id("doc")


def terminal_id() -> str:
    return new_public_id("trm")


def key_id() -> str:
    return new_public_id("key")


def staff_id() -> str:
    return new_public_id("stf")


def audit_id() -> str:
    return new_public_id("aud")


def settlement_id() -> str:
    return new_public_id("stl")


def alliance_id() -> str:
    return new_public_id("all")
