"""Sign-in, sign-out and "no access"."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rapidreview.kernel.logging import get_logger
from rapidreview.workspace.navigation import HOME
from rapidreview.workspace.oidc import OAuthError, redirect
from rapidreview.workspace.pages import error_page, render
from rapidreview.workspace.principals import NoAccess
from rapidreview.workspace.session import SignedOut, end_session, person_of, start_session

log = get_logger(__name__)


def absolute_url(request: Request, name: str) -> str:
    """The URL of route `name` as people reach it (RR_WORKSPACE_PUBLIC_URL when set)."""
    base = request.app.state.settings.public_url
    path = request.url_for(name).path
    return f"{base}{path}" if base else str(request.url_for(name))


def _signed_in(request: Request) -> bool:
    try:
        person_of(request, request.app.state.session_policy)
    except SignedOut:
        return False
    return True


def _too_many(request: Request) -> Response:
    log.warning("sign-in rate limit reached")
    return error_page(request, 429, "Too many sign-in attempts",
                      "There were too many attempts to sign in from your network. Wait a minute, then try again.")


async def sign_in_start(request: Request) -> Response:
    if _signed_in(request):
        return redirect(str(request.url_for("home")))
    return render(request, "auth/sign_in.html", {"title": "Sign in"})


async def sign_in(request: Request) -> Response:
    if not request.app.state.sign_in_limiter.allow(request):
        return _too_many(request)
    try:
        return await request.app.state.sign_in.redirect(request, absolute_url(request, "sign_in_callback"))
    except OAuthError:
        raise
    except Exception as exc:  # noqa: BLE001 - the provider is away: say so, do not show a trace
        log.warning("identity provider unreachable", exc_type=type(exc).__name__)
        return error_page(request, 503, "Sorry, you cannot sign in at the moment",
                          "The sign-in service is not responding. Try again in a few minutes.")


async def sign_in_callback(request: Request) -> Response:
    # Not rate-limited itself: it completes only with the state and verifier of a started (counted) sign-in.
    try:
        claims = await request.app.state.sign_in.claims(request)
    except OAuthError as exc:
        log.info("sign-in not completed", error=str(exc.error)[:40])
        return error_page(request, 400, "Sign-in did not complete",
                          "You were not signed in. Start again from the sign-in page.")
    except Exception as exc:  # noqa: BLE001
        log.warning("identity provider unreachable", exc_type=type(exc).__name__)
        return error_page(request, 503, "Sorry, you cannot sign in at the moment",
                          "The sign-in service is not responding. Try again in a few minutes.")
    found = request.app.state.principals.resolve(claims)
    if isinstance(found, NoAccess):
        end_session(request.session)
        log.info("sign-in refused: no mapping")
        return render(request, "auth/no_access.html", {"title": "You do not have access", "reason": found.reason}, status=403)
    start_session(request.session, found, request.app.state.session_policy)
    request.scope["rr_person"] = found
    log.info("signed in", role=found.role.value, partnership=found.partnership)
    return redirect(str(request.url_for(HOME[found.role])))


async def sign_out(request: Request) -> Response:
    end_session(request.session)
    log.info("signed out")
    url = await request.app.state.sign_in.end_session_url(absolute_url(request, "signed_out"))
    return redirect(url)


async def signed_out(request: Request) -> Response:
    reason = request.query_params.get("reason", "")
    minutes = round(request.app.state.settings.idle_timeout_minutes)
    messages = {
        "idle": f"You were signed out because you had not used Rapid Review for {minutes} minutes. Nothing you had saved is lost.",
        "expired": "You were signed out because your session reached its time limit. Nothing you had saved is lost.",
    }
    return render(request, "auth/signed_out.html", {"title": "You have signed out", "message": messages.get(reason, "")})


ROUTES = [
    Route("/sign-in", sign_in_start, name="sign_in_start"),
    Route("/sign-in/start", sign_in, name="sign_in"),
    Route("/sign-in/callback", sign_in_callback, name="sign_in_callback"),
    Route("/sign-out", sign_out, methods=["POST"], name="sign_out"),
    Route("/signed-out", signed_out, name="signed_out"),
]
