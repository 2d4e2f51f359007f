"""Running a sync and keeping its record (decision 0021).

``run_sync`` is what the command, the daily task and the administrator's button all call. Only
one run at a time: a second start while one is running is refused (``SyncAlreadyRunningError``).
A delta asks for what changed after the high-water mark of the last run that read every page —
the provider's own clock, never ours — so a failed page is read again next time.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.db import transaction
from django.utils import timezone

from elevstod.accounts.models import ExternalIdentity, User
from elevstod.core.statistics import analyze_after_bulk_load
from elevstod.organisation.models import (
    AcademicYear,
    EducationProvider,
    Group,
    GroupStaff,
    SchoolUnit,
    UnitDuty,
)
from elevstod.people.models import GroupMembership, Guardian, Guardianship, Placement, Pupil
from elevstod.ss12000.client import ProviderError, SS12000Client, config_from_settings
from elevstod.sync.engine import Sync
from elevstod.sync.models import SyncKind, SyncLink, SyncRun, SyncStatus, SyncTrigger

# What the sync writes: the tables whose statistics a bulk run refreshes (core.statistics).
SYNCED_TABLES = (
    AcademicYear, EducationProvider, SchoolUnit, Group, GroupStaff, UnitDuty,
    User, ExternalIdentity, Pupil, Guardian, Guardianship, Placement, GroupMembership, SyncLink,
)  # fmt: skip

logger = logging.getLogger(__name__)

# A run "running" for longer than this was cut off (a worker killed): it no longer blocks a start.
STALE_AFTER = dt.timedelta(hours=6)


class SyncNotConfiguredError(Exception):
    """No ELEVSTOD_SS12000_URL: there is no provider to read."""


class SyncAlreadyRunningError(Exception):
    pass


def is_configured() -> bool:
    return bool(config_from_settings().base_url)


def last_complete_run() -> SyncRun | None:
    return (
        SyncRun.objects.filter(status=SyncStatus.SUCCEEDED, high_water_mark__isnull=False)
        .order_by("-started_at")
        .first()
    )


def synced_on(day: dt.date) -> bool:
    """Whether a scheduled run has started on this local day (the worker enqueues one a day)."""
    return SyncRun.objects.filter(trigger=SyncTrigger.SCHEDULE, started_at__date=day).exists()


def running_run() -> SyncRun | None:
    return SyncRun.objects.filter(
        status=SyncStatus.RUNNING, started_at__gte=timezone.now() - STALE_AFTER
    ).first()


def start_run(*, full: bool, trigger: str, started_by_id: uuid.UUID | None = None) -> SyncRun:
    """Record a run as started, or refuse while another runs. A delta with no earlier complete
    run is a full sync: there is no mark to count changes from."""
    with transaction.atomic():
        if running_run() is not None:
            raise SyncAlreadyRunningError
        previous = None if full else last_complete_run()
        return SyncRun.objects.create(
            kind=SyncKind.DELTA if previous else SyncKind.FULL,
            trigger=trigger,
            started_by_id=started_by_id,
            started_at=timezone.now(),
            since=previous.marks if previous else {},
            modified_after=previous.high_water_mark if previous else None,
        )


def run_sync(
    *,
    full: bool = False,
    trigger: str = SyncTrigger.COMMAND,
    started_by_id: uuid.UUID | None = None,
    client: SS12000Client | None = None,
    today: dt.date | None = None,
    run: SyncRun | None = None,
) -> SyncRun:
    """Read the provider and write what changed; returns the finished run."""
    if client is None and not is_configured():
        raise SyncNotConfiguredError
    if run is None:
        run = start_run(full=full, trigger=trigger, started_by_id=started_by_id)
    own_client = client is None
    ss12000 = client or SS12000Client(config_from_settings())
    sync = Sync(ss12000, run, full=run.kind == SyncKind.FULL, today=today or timezone.localdate())
    try:
        sync.read()
        sync.write()
    except ProviderError as error:
        # Only what cannot be read at all ends here (e.g. 401): pages fail inside read().
        _finish(run, sync, SyncStatus.FAILED, error_code=error.code)
        return run
    except Exception:
        _finish(run, sync, SyncStatus.FAILED, error_code="internal_error")
        logger.exception("SS 12000 sync failed")
        raise
    finally:
        if own_client:
            ss12000.close()
    _finish(run, sync, SyncStatus.SUCCEEDED if sync.complete else SyncStatus.PARTIAL)
    analyze_after_bulk_load(sync.tally.rows_written(), tables=SYNCED_TABLES)
    return run


def _finish(run: SyncRun, sync: Sync, status: str, *, error_code: str = "") -> None:
    run.status = status
    run.finished_at = timezone.now()
    # A failed run's writes were rolled back: its counts would say what did not happen.
    run.counts = {} if status == SyncStatus.FAILED else sync.tally.summary()
    run.refusals = sync.tally.refusal_rows()
    run.error_code = error_code or (sync.failed_pages[0] if sync.failed_pages else "")
    # The mark moves only when every page arrived and was written (a partial run's changes are
    # kept, and the next delta reads the same span again: writing is idempotent).
    succeeded = status == SyncStatus.SUCCEEDED
    run.marks = (
        {entity: mark.isoformat() for entity, mark in sync.marks.items()} if succeeded else {}
    )
    run.high_water_mark = sync.high_water_mark if succeeded else None
    run.save()
    logger.info(
        "SS 12000 sync finished",
        extra={"run": str(run.pk), "status": status, "kind": run.kind},
    )
