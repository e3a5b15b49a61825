"""The person's token: what the workspace presents to the services on their behalf.

The workspace has no authority of its own. For each signed-in person it signs a
short-lived ES256 token (minutes) with the workspace key — `sub` is the person's
subject from the identity provider, with their role, partnership and agency — and
the services verify it like any other bearer token (the workspace's public key is
one of their RR_JWT_PUBLIC_KEYS_FILE keys). The audit trail and the access log
therefore name the person, never the workspace. Tokens are cached per person until
shortly before they expire, so a page's several calls share one signature.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from rapidreview.kernel.auth import Principal, issue_token

#: A cached token is replaced once less than this share of its life is left.
_RENEW_AT = 0.5


class PersonTokens:
    """Mints (and briefly reuses) tokens for people."""

    def __init__(self, private_key_pem: bytes, *, issuer: str, audience: str, ttl_seconds: float = 300.0,
                 clock: Callable[[], float] = time.time, cache_size: int = 2048) -> None:
        self._key = private_key_pem
        self.issuer = issuer
        self.audience = audience
        self.ttl = ttl_seconds
        self._clock = clock
        self._cache: OrderedDict[Principal, tuple[str, float]] = OrderedDict()
        self._cache_size = cache_size

    @classmethod
    def from_file(cls, path: Path, **kwargs) -> PersonTokens:  # type: ignore[no-untyped-def]
        return cls(path.read_bytes(), **kwargs)

    def token_for(self, principal: Principal) -> str:
        """A valid token for `principal` (a cached one while it has at least half its life left)."""
        now = self._clock()
        cached = self._cache.get(principal)
        if cached is not None and cached[1] - now > self.ttl * _RENEW_AT:
            self._cache.move_to_end(principal)
            return cached[0]
        token = issue_token(
            self._key,
            subject=principal.subject,
            role=principal.role,
            partnership=principal.partnership,
            agency=principal.agency,
            issuer=self.issuer,
            audience=self.audience,
            ttl=dt.timedelta(seconds=self.ttl),
            now=dt.datetime.fromtimestamp(now, dt.UTC),
        )
        self._cache[principal] = (token, now + self.ttl)
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return token
