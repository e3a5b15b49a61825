"""The session: an encrypted, signed cookie, and who is signed in.

The cookie holds only what the workspace needs between requests — the person's
subject, role, partnership and agency, when they signed in and were last active,
the form token, and the sign-in handshake's state while it runs — encrypted and
authenticated with AES-GCM under the session key, so nothing in it can be read or
changed by the browser or anyone who copies it. No server-side store: replicas
sharing the key serve any request.

`person_of(request)` enforces the idle timeout and the maximum session age on every
request with the injected clock.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rapidreview.kernel.auth import Principal, Role

Clock = Callable[[], float]
#: Browsers keep at most ~4 KB per cookie; a session never needs more than this.
MAX_COOKIE = 3800


class SessionCipher:
    """Seals and opens the session dictionary."""

    def __init__(self, key_material: bytes) -> None:
        # Any secret text works as key material; the AES key is its SHA-256.
        self._aead = AESGCM(hashlib.sha256(b"rapidreview-workspace-session\x00" + key_material).digest())

    @classmethod
    def random(cls) -> SessionCipher:
        return cls(os.urandom(32))

    def seal(self, data: dict[str, Any]) -> str:
        nonce = os.urandom(12)
        body = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
        return base64.urlsafe_b64encode(nonce + self._aead.encrypt(nonce, body, b"session")).decode().rstrip("=")

    def open(self, value: str) -> dict[str, Any]:
        """The session, or an empty one when the cookie is damaged, forged or from another key."""
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
            data = json.loads(self._aead.decrypt(raw[:12], raw[12:], b"session"))
        except (ValueError, InvalidTag):
            return {}
        return data if isinstance(data, dict) else {}


class SessionMiddleware:
    """Puts the decrypted session in `scope["session"]` and writes it back when it changed."""

    def __init__(self, app: ASGIApp, cipher: SessionCipher, *, secure: bool) -> None:
        self.app = app
        self.cipher = cipher
        self.secure = secure
        # The __Host- prefix makes browsers refuse the cookie unless Secure, host-only and path "/".
        self.cookie_name = "__Host-rr_session" if secure else "rr_session"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        raw = connection.cookies.get(self.cookie_name, "")
        initial = self.cipher.open(raw) if raw else {}
        scope["session"] = dict(initial)

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                session = scope["session"]
                headers = MutableHeaders(scope=message)
                if session and session != initial:
                    value = self.cipher.seal(session)
                    if len(value) > MAX_COOKIE:  # never silently lose a session: start afresh instead
                        value, session = self.cipher.seal({}), {}
                    headers.append("Set-Cookie", self._cookie(value, max_age=None))
                elif not session and raw:
                    headers.append("Set-Cookie", self._cookie("", max_age=0))
            await send(message)

        await self.app(scope, receive, send_wrapper)

    def _cookie(self, value: str, max_age: int | None) -> str:
        # A browser-session cookie (no Max-Age): closing the browser ends it; the server enforces time limits.
        parts = [f"{self.cookie_name}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
        if max_age is not None:
            parts.append(f"Max-Age={max_age}")
        if self.secure:
            parts.append("Secure")
        return "; ".join(parts)


@dataclass(frozen=True)
class SessionPolicy:
    idle_seconds: float
    max_age_seconds: float
    clock: Clock = time.time


class SignedOut(Exception):
    """No one is signed in (or the session just ended); `reason` is "idle", "expired" or ""."""

    def __init__(self, reason: str = "") -> None:
        super().__init__(reason)
        self.reason = reason


def start_session(session: dict[str, Any], principal: Principal, policy: SessionPolicy) -> None:
    """Signs `principal` in: a fresh session (nothing from before sign-in survives but the form token)."""
    now = policy.clock()
    session.clear()
    session.update({
        "p": {"sub": principal.subject, "role": principal.role.value, "partnership": principal.partnership,
              "agency": principal.agency},
        "at": now,
        "seen": now,
        "csrf": secrets.token_urlsafe(32),
    })


def end_session(session: dict[str, Any]) -> None:
    session.clear()


def person_of(request: HTTPConnection, policy: SessionPolicy) -> Principal:
    """The signed-in person; SignedOut (ending the session) when nobody is, or it timed out."""
    session = request.session
    stored = session.get("p")
    if not isinstance(stored, dict):
        raise SignedOut()
    now = policy.clock()
    if now - float(session.get("seen", 0)) > policy.idle_seconds:
        end_session(session)
        raise SignedOut("idle")
    if now - float(session.get("at", 0)) > policy.max_age_seconds:
        end_session(session)
        raise SignedOut("expired")
    session["seen"] = now
    try:
        return Principal(subject=str(stored["sub"]), role=Role(stored["role"]), partnership=str(stored["partnership"]),
                         agency=str(stored.get("agency", "")))
    except (KeyError, ValueError):
        end_session(session)
        raise SignedOut() from None


def csrf_token(session: dict[str, Any]) -> str:
    """The session's form token (created on first use, so signed-out forms have one too)."""
    token = session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token
