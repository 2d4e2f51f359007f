"""The nightly refresh of the quality figures, through the Tasks API like the reminders.

Computing a unit's figures reads its whole chain; the dashboards read the snapshots this task
writes, so that the huvudman's page costs the same for one school as for 170 (scale.md goal 4).
"""

from __future__ import annotations

import logging
from datetime import date

from django_tasks import task

from elevstod.quality import services

logger = logging.getLogger(__name__)


@task()
def refresh_quality_figures(day_iso: str) -> int:
    """Every unit's figures for the current and the previous school year; returns the rows
    written. Counts only: nothing here names a pupil, so nothing here is logged per pupil."""
    written = services.refresh_all(date.fromisoformat(day_iso))
    logger.info("Quality figures refreshed for %s: %d snapshots", day_iso, written)
    return written
