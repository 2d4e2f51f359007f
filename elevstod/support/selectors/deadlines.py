"""The huvudman's deadline settings as the pages and the API read them (process.md §3: settings,
not law; services.deadlines changes them)."""

from __future__ import annotations

import uuid

from elevstod.support import workflow as wf
from elevstod.support.models import ProviderDeadlines


def deadlines_at_unit(school_unit_id: uuid.UUID | None) -> wf.DeadlineSettings:
    """The huvudman's deadline settings for the unit, in one query; the defaults when the unit's
    huvudman has none or there is no unit."""
    if school_unit_id is None:
        return wf.DEFAULT_DEADLINES
    row = ProviderDeadlines.objects.filter(provider__school_units=school_unit_id).first()
    return row.as_settings() if row else wf.DEFAULT_DEADLINES
