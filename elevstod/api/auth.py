"""API authentication: the browser session, or a personal token for integration accounts."""

from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from elevstod.accounts.models import ApiToken, hash_token

# Writing last_used_at on every call would turn each read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=5)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):  # type: ignore[no-untyped-def]
        if not token.startswith(ApiToken.PREFIX):
            return None
        api_token = (
            ApiToken.objects.filter(token_hash=hash_token(token), revoked_at__isnull=True)
            .select_related("user")
            .first()
        )
        if api_token is None or not api_token.user.is_active:
            return None
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.user = api_token.user
        request.api_channel = "api-token"  # type: ignore[attr-defined]
        return api_token.user


class BrowserSession(SessionAuth):
    """The signed-in browser; CSRF is checked for unsafe methods."""


auth = [BrowserSession(), TokenAuth()]
