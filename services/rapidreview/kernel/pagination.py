"""Page tokens: opaque to callers, URL-safe base64 of the position of the last item served.

A token comes back from the caller, so it is input like any other: whatever it decodes
to must be refused with INVALID_ARGUMENT (by the caller of `decode_page_token`) before
any part of it reaches a query — PostgreSQL refuses a NUL character in text, and a
number beyond BIGINT, with an error that would otherwise surface as INTERNAL.
"""

from __future__ import annotations

import base64

#: Longer than any token the services issue (a timestamp or date and two ids).
MAX_TOKEN_CHARS = 512
#: The largest value a BIGINT column holds.
MAX_BIGINT = 2**63 - 1


def encode_page_token(*parts: str) -> str:
    return base64.urlsafe_b64encode("|".join(parts).encode()).decode()


def decode_page_token(token: str, parts: int = 1) -> list[str]:
    """The `parts` fields of a token; ValueError when it is not one the services could have issued."""
    if len(token) > MAX_TOKEN_CHARS:
        raise ValueError("token too long")
    text = base64.urlsafe_b64decode(token.encode("ascii")).decode("utf-8")  # binascii.Error, Unicode*Error: ValueError
    if "\x00" in text:
        raise ValueError("NUL in token")
    fields = text.split("|", parts - 1)
    if len(fields) != parts:
        raise ValueError("wrong number of fields")
    return fields


def bigint(text: str, *, minimum: int = 0) -> int:
    """A decimal integer that a BIGINT column can hold (ValueError otherwise)."""
    value = int(text)
    if not minimum <= value <= MAX_BIGINT:
        raise ValueError("out of range")
    return value
