"""Reading values the browser sends, where a malformed value means "none given", not an error."""

from __future__ import annotations

import uuid


def uuid_or_none(raw: str | None) -> uuid.UUID | None:
    """The id in `raw`, or None when it is empty or not an id (a filter left blank, an edited
    query string): the caller then treats it as not chosen."""
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None
