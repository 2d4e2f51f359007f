"""Handling a deviation report in tests, as the unit's leaders do through the pages."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django.utils import timezone

from elevstod.accounts.models import User
from elevstod.routines import services
from elevstod.routines.models import DeviationReport, DeviationStatusChange
from tests.world import World


def handle(
    world: World,
    report: DeviationReport,
    to_status: str,
    *,
    by: str = "principal_a",
    today: date | None = None,
    **details: Any,
) -> DeviationStatusChange:
    """`report` moved on to `to_status` by the persona `by`, today unless told otherwise;
    `details` are the service's own (ksl_reported_on, outcome, note)."""
    return services.deviation_status_change(
        actor=cast(User, world.users[by]),
        report=report,
        to_status=to_status,
        today=today or timezone.localdate(),
        **details,
    )
