"""API authentication: the browser session, or a personal token for integration accounts."""

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from elevstod.accounts.models import ApiToken
from elevstod.accounts.services import api_token_in_use

# The access log's channel for a call made with a personal token rather than the browser session.
BEARER_CHANNEL = "api-token"


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        api_token = api_token_in_use(token)
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
