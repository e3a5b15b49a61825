"""Sign-in with OpenID Connect: authorisation code flow with PKCE (S256), via Authlib.

Works with any provider that publishes discovery metadata (Entra ID, Keycloak, ...):
the issuer URL, client id and secret come from the settings. The ID token is
verified by Authlib (signature against the provider's JWKS, issuer, audience,
expiry, nonce); only its claims are used, to look the person up in the mapping
file, and none of them is kept beyond the mapped subject.
"""

from __future__ import annotations

from typing import Any

from authlib.integrations.starlette_client import OAuth, OAuthError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from rapidreview.workspace.config import WorkspaceSettings

__all__ = ["OAuthError", "SignIn"]


class SignIn:
    """The provider's client."""

    def __init__(self, issuer: str, client_id: str, client_secret: str, scopes: str) -> None:
        self.issuer = issuer
        self.client_id = client_id
        self._oauth = OAuth()
        self._oauth.register(
            name="provider",
            client_id=client_id,
            client_secret=client_secret or None,
            server_metadata_url=f"{issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": scopes if "openid" in scopes.split() else f"openid {scopes}",
                           "code_challenge_method": "S256"},
        )

    @classmethod
    def from_settings(cls, settings: WorkspaceSettings) -> SignIn:
        return cls(settings.oidc_issuer, settings.oidc_client_id, settings.oidc_client_secret, settings.oidc_scopes)

    @property
    def client(self) -> Any:
        return self._oauth.provider

    async def redirect(self, request: Request, callback_url: str) -> Response:
        """Sends the browser to the provider (state, nonce and PKCE verifier kept in the session)."""
        return await self.client.authorize_redirect(request, callback_url)

    async def claims(self, request: Request) -> dict[str, Any]:
        """The verified ID-token claims of the provider's answer (OAuthError when it is not valid)."""
        token = await self.client.authorize_access_token(request)
        claims = token.get("userinfo")
        if not claims:
            raise OAuthError(error="no_id_token", description="the provider sent no ID token")
        return dict(claims)

    async def end_session_url(self, post_logout_url: str) -> str:
        """The provider's end-session URL that returns to `post_logout_url`, or that URL when it has none."""
        try:
            metadata = await self.client.load_server_metadata()
        except Exception:  # noqa: BLE001 - the provider being away must not keep anyone signed in here
            return post_logout_url
        endpoint = metadata.get("end_session_endpoint")
        if not endpoint:
            return post_logout_url
        from urllib.parse import urlencode

        return f"{endpoint}?{urlencode({'client_id': self.client_id, 'post_logout_redirect_uri': post_logout_url})}"


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)
