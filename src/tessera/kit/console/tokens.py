"""Write tokens: the idempotency key of a console form, minted when the form is rendered.

A token carries the key, the till time of the document (fixed at render, so a double submit sends the very
same body), and the store and staff member it was issued to. It is signed, so none of that can be edited in
the browser, and it expires. Posting the same token twice makes the service replay its first answer instead of
writing again; a token issued at store A is refused while acting as store B.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core import signing
from ulid import ULID

SALT = "tessera.console.write-token"
MAX_AGE_SECONDS = 12 * 60 * 60  # no longer than a staff session may last


class WriteTokenInvalid(ValueError):
    """The token is forged, expired, or was issued to another store or staff member."""


@dataclass(frozen=True, slots=True)
class WriteToken:
    ulid: str
    at: datetime
    store_id: int
    staff_id: int

    @property
    def request_key(self) -> str:
        return f"console:{self.ulid}"

    def pos_number(self, prefix: str) -> str:
        """The document number a console write records, derived from the key so a replay repeats it."""
        return f"{prefix}-{self.ulid}"


def write_token_new(*, store_id: int, staff_id: int, now: datetime) -> WriteToken:
    return WriteToken(ulid=str(ULID()), at=now.replace(microsecond=0), store_id=store_id, staff_id=staff_id)


def write_token_sign(token: WriteToken) -> str:
    payload = {"k": token.ulid, "a": token.at.isoformat(), "s": token.store_id, "u": token.staff_id}
    return signing.dumps(payload, salt=SALT, compress=False)


def write_token_read(raw: str, *, store_id: int, staff_id: int) -> WriteToken:
    """The token behind ``raw`` if it is genuine, fresh and issued to this store and staff member.

    :raises WriteTokenInvalid: anything else.
    """
    try:
        payload = signing.loads(raw, salt=SALT, max_age=MAX_AGE_SECONDS)
        token = WriteToken(
            ulid=str(payload["k"]),
            at=datetime.fromisoformat(str(payload["a"])),
            store_id=int(payload["s"]),
            staff_id=int(payload["u"]),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise WriteTokenInvalid(raw[:20]) from exc
    if token.store_id != store_id or token.staff_id != staff_id or token.at.tzinfo is None:
        raise WriteTokenInvalid(raw[:20])
    return token
