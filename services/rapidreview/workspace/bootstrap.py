"""Composition root of the workspace: settings → token minter, service clients,
sign-in, session, protections, read model, routes → one Starlette app; `run()`
serves it with uvicorn.

`build_app` takes its collaborators as arguments so tests can inject a clock, a
fake read model or service addresses of their own.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import datetime as dt
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rapidreview.kernel.logging import bind_context, configure_logging, get_logger
from rapidreview.kernel.partnerships import load_registry
from rapidreview.workspace import assets
from rapidreview.workspace.client import ServiceClients, current_request_id
from rapidreview.workspace.config import SERVICES, WorkspaceSettings
from rapidreview.workspace.form_drafts import DatabaseFormDrafts, MemoryFormDrafts
from rapidreview.workspace.oidc import SignIn
from rapidreview.workspace.pages import error_page, exception_handlers
from rapidreview.workspace.principals import MappingError, PrincipalMap
from rapidreview.workspace.routes import all_routes
from rapidreview.workspace.security import CsrfMiddleware, SecurityHeadersMiddleware, SignInLimiter
from rapidreview.workspace.session import SessionCipher, SessionMiddleware, SessionPolicy
from rapidreview.workspace.tokens import PersonTokens

log = get_logger(__name__)


@dataclass
class Collaborators:
    """What `build_app` wires; anything left None is built from the settings."""

    clock: Callable[[], float] = time.time
    services: ServiceClients | None = None
    principals: PrincipalMap | None = None
    sign_in: SignIn | None = None
    #: The dashboard read model (`readmodel.ReadModel` or a fake); None: started in this process when
    #: RR_DATABASE_URL and RR_NATS_URL are set, else the dashboard says it is unavailable.
    read_model: Any = None
    #: The session cookie's cipher (tests build cookies with it); None: from RR_WORKSPACE_SESSION_KEY_FILE.
    session_cipher: SessionCipher | None = None
    #: Drafts of agency returns (`returns.drafts.Drafts`); None: kept in the read model's database (schema
    #: workspace) when it runs in this process, else the return form says it is not available.
    drafts: Any = None
    #: Drafts of the other forms of several pages (`form_drafts.FormDraftStore`: a notification, a
    #: withdrawal...); None: in the read model's database when it runs in this process, else in memory.
    form_drafts: Any = None


class RequestContextMiddleware:
    """A request id per request (sent on to the services), one log line per page, and a
    last-resort error page for anything unexpected (inside the security headers)."""

    def __init__(self, app: ASGIApp, paths: dict[Any, str]) -> None:
        self.app = app
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = str(uuid.uuid4())
        scope["rr_request_id"] = request_id
        token = current_request_id.set(request_id)
        started = time.monotonic()
        status = {"code": 500, "sent": False}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"], status["sent"] = message["status"], True
            await send(message)

        try:
            with bind_context(request_id=request_id):
                try:
                    await self.app(scope, receive, send_wrapper)
                except Exception as exc:  # noqa: BLE001 - never a stack trace to the person
                    log.error("page failed", exc_info=exc)
                    if not status["sent"]:
                        response = error_page(Request(scope, receive), 500, "Sorry, there is a problem with the service",
                                              "Nothing was saved. Try again later.", reference=request_id)
                        await response(scope, receive, send_wrapper)
                # The route's path template, never the path itself: a path or query could carry what a person typed.
                if not scope["path"].startswith(("/assets/", "/static/")):
                    log.info("page served", method=scope["method"], route=self.paths.get(scope.get("endpoint"), "?"),
                             status=status["code"], duration_ms=round((time.monotonic() - started) * 1000, 1))
        finally:
            current_request_id.reset(token)


def build_app(settings: WorkspaceSettings, collaborators: Collaborators | None = None) -> Starlette:
    parts = collaborators or Collaborators()
    tokens = PersonTokens.from_file(settings.signing_key_file, issuer=settings.jwt_issuer, audience=settings.jwt_audience,
                                    ttl_seconds=settings.token_ttl_seconds, clock=parts.clock)
    services = parts.services or ServiceClients({s: settings.address(s) for s in SERVICES}, tokens,
                                                timeout=settings.rpc_timeout_seconds, tls_ca_file=settings.grpc_tls_ca_file,
                                                tls_cert_file=settings.grpc_tls_cert_file, tls_key_file=settings.grpc_tls_key_file)
    principals = parts.principals or PrincipalMap.load(settings.principals_file)
    registry = load_registry(settings.partnership_config_file, required=settings.partnership_registry_required)
    if registry.open:
        log.warning("no partnership registry (RR_PARTNERSHIP_CONFIG_FILE): the mapping file's partnerships are not checked")
    else:
        principals.check_registry(registry)  # a person mapped to an unknown partnership could do nothing: refuse now
    sign_in = parts.sign_in or SignIn.from_settings(settings)
    if parts.session_cipher is not None:
        cipher = parts.session_cipher
    elif settings.session_key_file is not None:
        cipher = SessionCipher(settings.session_key_file.read_bytes().strip())
    else:
        log.warning("no RR_WORKSPACE_SESSION_KEY_FILE: sessions use a key of this process only")
        cipher = SessionCipher.random()

    routes = [*all_routes(), *assets.mounts(settings.assets_dir)]
    paths = {r.endpoint: r.path for r in routes if isinstance(r, Route)}

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        runtime = None
        if app.state.read_model is None and settings.database_url and settings.nats_url:
            runtime = await _start_read_model(settings)
            app.state.read_model = runtime.read_model
            if app.state.drafts is None:
                app.state.drafts = runtime.drafts()
            if app.state.form_drafts is None:
                app.state.form_drafts = DatabaseFormDrafts(runtime.db, runtime.cipher, clock=parts.clock)
        if app.state.form_drafts is None:
            log.warning("no database: drafts of forms are kept in this process's memory only")
            app.state.form_drafts = MemoryFormDrafts(clock=parts.clock)
        # What is alive once started (modules, the app, clients) lives as long as the process: keep it
        # out of the garbage collector's sweeps. Otherwise the collections that a long page's many
        # short-lived objects trigger walk the whole heap each time: a third of the CPU of a
        # 500-case dashboard (docs/performance.md, "Workspace").
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()
            if runtime is not None:
                await runtime.stop()
            await services.close()

    async def refuse(request: Request, reason: str):  # type: ignore[no-untyped-def]
        if reason == "too_large":
            return error_page(request, 413, "The file or form is too large", "Nothing was saved.")
        log.warning("form refused: no valid form token", route=paths.get(request.scope.get("endpoint"), request.method))
        return error_page(request, 403, "Your form could not be sent",
                          "The page had expired or the form did not come from Rapid Review. Nothing was saved. "
                          "Go back, reload the page and try again.")

    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(SecurityHeadersMiddleware, provider_url=settings.oidc_issuer, hsts=settings.cookies_secure),
            Middleware(SessionMiddleware, cipher=cipher, secure=settings.cookies_secure),
            Middleware(RequestContextMiddleware, paths=paths),
            Middleware(CsrfMiddleware, refuse=refuse),
        ],
        exception_handlers=exception_handlers(),
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.services = services
    app.state.principals = principals
    app.state.sign_in = sign_in
    app.state.sign_in_limiter = SignInLimiter(settings.sign_in_rate_per_minute, settings.sign_in_burst)
    app.state.session_policy = SessionPolicy(settings.idle_timeout_minutes * 60, settings.session_max_age_hours * 3600, parts.clock)
    app.state.clock = parts.clock
    app.state.read_model = parts.read_model
    app.state.drafts = parts.drafts
    app.state.form_drafts = parts.form_drafts
    app.state.route_names = {r.name for r in routes if getattr(r, "name", None)}

    def today() -> dt.date:
        if settings.today:
            return dt.date.fromisoformat(settings.today)
        return dt.datetime.fromtimestamp(parts.clock()).date()

    app.state.today = today
    return app


class _ReadModelProcess:
    """The read model's runtime with the database and NATS connection it runs on (this process's own)."""

    def __init__(self, runtime: Any, db: Any, bus: Any, cipher: Any) -> None:
        self.runtime, self.read_model, self.db, self._bus, self.cipher = runtime, runtime.read_model, db, bus, cipher

    def drafts(self) -> Any:
        """The return form's draft store, on this database, sealed with the read model's key ring."""
        from rapidreview.workspace.returns.drafts import DraftStore

        return DraftStore(self.db, self.cipher)

    async def stop(self) -> None:
        await self.runtime.stop()
        await self._bus.close()
        await self.db.dispose()


async def _start_read_model(settings: WorkspaceSettings) -> _ReadModelProcess:
    """The dashboard read model: the `workspace` schema's migrations, its durable consumers, its queries."""
    from rapidreview.kernel.bus import BusOptions, EventBus
    from rapidreview.kernel.crypto import FieldCipher, KeyRing
    from rapidreview.kernel.db import Database
    from rapidreview.workspace.readmodel import ReadModelConfig, start_readmodel

    config = ReadModelConfig.from_env()
    if config.encryption_keys_file is None:
        raise RuntimeError("RR_ENCRYPTION_KEYS_FILE: required (the child reference and drafts are encrypted at rest)")
    cipher = FieldCipher(KeyRing.from_file(config.encryption_keys_file))
    db = Database(settings.database_url)
    bus = EventBus(BusOptions(
        servers=settings.nats_url, name="rapidreview-workspace", user=settings.nats_user, password=settings.nats_password,
        creds_file=str(settings.nats_creds_file) if settings.nats_creds_file else None,
        tls_ca_file=str(settings.nats_tls_ca_file) if settings.nats_tls_ca_file else None,
        inbox_prefix="_INBOX.workspace"))  # its NATS user receives replies under this prefix only
    runtime = await start_readmodel(config, db, bus, cipher=cipher)
    return _ReadModelProcess(runtime, db, bus, cipher)


def run() -> None:
    """Console entry point: serve the workspace configured by the environment."""
    import uvicorn

    from rapidreview.kernel.config import ConfigError
    from rapidreview.workspace.config import load_workspace_settings

    try:
        settings = load_workspace_settings()
    except ConfigError as exc:
        raise SystemExit(f"configuration error: {exc}") from None
    configure_logging("workspace", settings.log_level)
    # Authlib logs the PKCE verifier at DEBUG; HTTP clients and uvicorn log URLs: keep them to warnings.
    for noisy in ("authlib", "httpx", "httpx2", "httpcore", "uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        app = build_app(settings)
    except (ConfigError, MappingError) as exc:
        raise SystemExit(f"configuration error: {exc}") from None
    host, _, port = settings.listen.rpartition(":")
    log.info("workspace starting", port=int(port))
    # uvicorn's own access log would print paths and query strings; the workspace logs route templates instead.
    # X-Forwarded-For/-Proto count only from the trusted proxies (the Ingress): the sign-in rate limit is per client.
    uvicorn.run(app, host=host, port=int(port), log_config=None, access_log=False, proxy_headers=True,
                forwarded_allow_ips=settings.trusted_proxies, server_header=False, date_header=True,
                loop=settings.event_loop)
