"""API authentication: the browser session, or a personal token for integration accounts.

A token is its own time-out: it works until it expires or is revoked (decision 0016), and each
use leaves an access-log row (accounts.services.api_token_in_use). An expired, revoked or unknown
token answers 401, like none at all.
"""

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from elevstod.accounts.models import ApiToken
from elevstod.accounts.services import BEARER_CHANNEL, api_token_in_use

__all__ = ["BEARER_CHANNEL", "BrowserSession", "TokenAuth", "auth", "channel_of"]


def _route(request: HttpRequest) -> str:
    """The endpoint's pattern, without the ids in it, for the log row of the token's use."""
    match = getattr(request, "resolver_match", None)
    route = f"/{match.route}" if match is not None and match.route else ""
    return f"{request.method} {route}"


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        api_token = api_token_in_use(token, path=_route(request))
        if api_token is None:
            return None
        request.user = api_token.user
        return api_token  # django-ninja keeps it as request.auth


class BrowserSession(SessionAuth):
    """The signed-in browser; CSRF is checked for unsafe methods."""


def channel_of(request: HttpRequest) -> str:
    """How an API call came in, for the access log's `channel`."""
    return BEARER_CHANNEL if isinstance(getattr(request, "auth", None), ApiToken) else "api"


auth = [BrowserSession(), TokenAuth()]
