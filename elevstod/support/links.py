"""Links to many records on one page, each URL name reversed once.

reverse() costs tens of microseconds; a list of a few hundred rows (what is due, the timeline)
would spend milliseconds on it. A record page's URL differs between records only in the id,
which the uuid converter writes as str(id): reversed once with a stand-in id, each row's URL
is that pattern with its own id put in.
"""

from __future__ import annotations

import uuid

from django.urls import NoReverseMatch, reverse

# Stands in for a record's id while a URL name is reversed.
_STAND_IN = uuid.UUID("00000000-0000-4000-8000-5e1d7a0b2c91")


class Links:
    """URLs by name and one uuid keyword, for one request (the URL prefix is the request's)."""

    def __init__(self) -> None:
        self._patterns: dict[tuple[str, str], str] = {}

    def __call__(self, url_name: str, url_kwarg: str, record_id: uuid.UUID) -> str:
        """The record's page, or "" when the page belongs to an area that is not built yet."""
        key = (url_name, url_kwarg)
        if key not in self._patterns:
            try:
                self._patterns[key] = reverse(url_name, kwargs={url_kwarg: _STAND_IN})
            except NoReverseMatch:
                self._patterns[key] = ""
        pattern = self._patterns[key]
        return pattern.replace(str(_STAND_IN), str(record_id)) if pattern else ""
