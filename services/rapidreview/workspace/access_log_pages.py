"""The four services' access logs as one list, newest first, one page at a time.

Each service keeps its own access log (AccessLogService on each, auditors only), paginated by
its own opaque page tokens. `merged_page` reads a page from each, merges them newest first, keeps
`page_size` entries, and works out where each service's log continues: its next page token when
its whole page was shown, the same token when none was, else the token after exactly the entries
shown (one more call for that many). The merge only ever takes a prefix of each service's page,
so nothing is skipped or shown twice. All reads of one listing share an upper time bound fixed
when the first page was read (`as_of`), so entries written meanwhile do not shift the pages.

The cursor (`Cursor.encode`) is the services' tokens and that bound, base64url JSON: it carries no
personal data and a tampered one is refused (a missing page).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime as dt
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

SERVICES = ("intake", "gathering", "criteria", "decisions")
MAX_CURSOR = 4000

Fetch = Callable[[str, str, int], Awaitable[tuple[list[Any], str]]]


class BadCursor(ValueError):
    """A page cursor that did not come from this page."""


@dataclass
class Cursor:
    as_of: dt.datetime
    tokens: dict[str, str] = field(default_factory=dict)
    done: frozenset[str] = frozenset()

    def encode(self) -> str:
        body = {"a": self.as_of.isoformat(), "t": self.tokens, "d": sorted(self.done)}
        return base64.urlsafe_b64encode(json.dumps(body, separators=(",", ":")).encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        if not text or len(text) > MAX_CURSOR:
            raise BadCursor("no cursor")
        try:
            body = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
            as_of = dt.datetime.fromisoformat(body["a"])
            tokens = {str(k): str(v) for k, v in body["t"].items() if k in SERVICES and isinstance(v, str) and len(v) <= 200}
            done = frozenset(s for s in body["d"] if s in SERVICES)
        except (binascii.Error, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BadCursor("not a cursor of this page") from exc
        if as_of.tzinfo is None:
            raise BadCursor("not a cursor of this page")
        return cls(as_of, tokens, done)


def _at(entry: Any) -> tuple[int, int]:
    return (entry.at.seconds, entry.at.nanos)


async def merged_page(fetch: Fetch, cursor: Cursor, page_size: int) -> tuple[list[tuple[str, Any]], Cursor | None]:
    """Up to `page_size` entries of every service not done, newest first, and the cursor of the
    next page (None on the last). `fetch(service, token, size)` returns (entries newest first, next token)."""
    live = [s for s in SERVICES if s not in cursor.done]
    pages = dict(zip(live, await asyncio.gather(*(fetch(s, cursor.tokens.get(s, ""), page_size) for s in live)), strict=True))
    heads = {s: 0 for s in live}
    shown: list[tuple[str, Any]] = []
    while len(shown) < page_size:
        candidates = [s for s in live if heads[s] < len(pages[s][0])]
        if not candidates:
            break
        newest = max(candidates, key=lambda s: _at(pages[s][0][heads[s]]))
        shown.append((newest, pages[newest][0][heads[newest]]))
        heads[newest] += 1
    tokens, done = dict(cursor.tokens), set(cursor.done)
    for s in live:
        entries, next_token = pages[s]
        taken = heads[s]
        if taken == len(entries):
            if next_token:
                tokens[s] = next_token
            else:
                done.add(s)
                tokens.pop(s, None)
        elif taken:
            # only part of this service's page was shown: continue right after the last entry shown
            _, after = await fetch(s, cursor.tokens.get(s, ""), taken)
            tokens[s] = after
    if done >= set(SERVICES):
        return shown, None
    return shown, Cursor(cursor.as_of, tokens, frozenset(done))
