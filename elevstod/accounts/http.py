"""Request types for annotations, so that views read `request.user` and `request.htmx` typed."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from elevstod.accounts.models import User


class HtmxRequest(HttpRequest):
    """Any request once HtmxMiddleware has run (django-htmx documents this pattern)."""

    htmx: HtmxDetails


class AuthenticatedRequest(HtmxRequest):
    """A request behind `login_required`: `user` is a real account, `htmx` is set by HtmxMiddleware.

    Only for annotations (django-htmx documents the same pattern); Django still builds the request.
    """

    user: User  # narrower than HttpRequest's User | AnonymousUser
