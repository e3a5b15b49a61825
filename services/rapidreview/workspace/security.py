"""Browser-facing protections of every response and every form.

- `SecurityHeadersMiddleware`: a strict Content-Security-Policy (scripts, styles,
  fonts and images from the workspace only: no inline script or style), framing
  forbidden, no referrer, no MIME sniffing, no caching of pages (they show case
  data), HSTS behind TLS.
- `CsrfMiddleware`: every state-changing request (POST, PUT, PATCH, DELETE) must
  carry the session's form token (`csrf_token` field, or `X-CSRF-Token` header for
  scripts); otherwise it is refused before any route runs, so nothing is stored.
- `SignInLimiter`: sign-in attempts per client address (token bucket).
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rapidreview.kernel.errors import ResourceExhausted
from rapidreview.kernel.ratelimit import RateLimiter

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
#: Largest form body accepted (a CSV or spreadsheet of chronology rows fits well within it).
MAX_BODY = 10 * 1024 * 1024
CSRF_FIELD = "csrf_token"


def content_security_policy(provider_url: str) -> str:
    origin = ""
    if provider_url:
        parts = urlsplit(provider_url)
        origin = f" {parts.scheme}://{parts.netloc}"
    # form-action must allow the provider: browsers check it on the redirect that follows sign-out.
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
        f"connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'{origin}"
    )


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, provider_url: str, hsts: bool) -> None:
        self.app = app
        self.headers = {
            "Content-Security-Policy": content_security_policy(provider_url),
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
            "Cross-Origin-Opener-Policy": "same-origin",
            "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
        }
        if hsts:
            self.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith(("/assets/", "/static/"))

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers[name] = value
                if not static:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_wrapper)


class CsrfMiddleware:
    """Refuses unsafe requests without the session's form token (must run inside the session middleware)."""

    def __init__(self, app: ASGIApp, refuse: Callable[[Request, str], Awaitable[Response]]) -> None:
        self.app = app
        self.refuse = refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE_METHODS:
            await self.app(scope, receive, send)
            return
        body, too_large = await _read_body(receive)

        async def replay() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        request = Request(scope, replay)
        if too_large:
            await (await self.refuse(request, "too_large"))(scope, replay, send)
            return
        expected = scope.get("session", {}).get("csrf")
        sent = request.headers.get("x-csrf-token", "")
        if not sent and request.headers.get("content-type", "").startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            try:
                form = await request.form()
                sent = str(form.get(CSRF_FIELD, ""))
                await form.close()
            except Exception:  # noqa: BLE001 - an unparseable body is refused like a missing token
                sent = ""
        if not isinstance(expected, str) or not sent or not hmac.compare_digest(sent.encode(), expected.encode()):
            await (await self.refuse(request, "csrf"))(scope, replay, send)
            return
        await self.app(scope, _replayer(body), send)


def _replayer(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return b"", True
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks), False


class SignInLimiter:
    """`per_minute` sign-in attempts per client address, bursts up to `burst`."""

    def __init__(self, per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._limiter = RateLimiter(per_minute / 60.0, burst, clock=clock)

    def allow(self, request: Request) -> bool:
        address = request.client.host if request.client else "unknown"
        try:
            self._limiter.check(address)
        except ResourceExhausted:
            return False
        return True
