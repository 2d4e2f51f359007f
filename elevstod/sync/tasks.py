"""The daily delta sync through the Tasks API, enqueued by the worker like the reminders."""

from __future__ import annotations

import logging
import uuid

from django_tasks import task

from elevstod.sync import services
from elevstod.sync.models import SyncRun, SyncTrigger

logger = logging.getLogger(__name__)


@task()
def sync_ss12000(full: bool = False, run_id: str | None = None) -> str:
    """Run a sync; with ``run_id``, the run the administrator's button recorded as started."""
    run = None
    if run_id is not None:
        run = SyncRun.objects.get(pk=uuid.UUID(run_id))
    try:
        finished = services.run_sync(full=full, trigger=SyncTrigger.SCHEDULE, run=run)
    except services.SyncAlreadyRunningError:
        logger.info("SS 12000 sync skipped: one is running")
        return "running"
    return str(finished.status)
