"""Probes: /livez (the process answers) and /healthz (ready: every service reachable and serving)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


async def livez(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def healthz(request: Request) -> Response:
    services = await request.app.state.services.health()
    ready = all(status == "SERVING" for status in services.values())
    body = {"status": "ok" if ready else "unavailable", "services": services,
            "dashboard": "ready" if request.app.state.read_model is not None else "unavailable"}
    return JSONResponse(body, status_code=200 if ready else 503)


ROUTES = [Route("/livez", livez, name="livez"), Route("/healthz", healthz, name="healthz")]
