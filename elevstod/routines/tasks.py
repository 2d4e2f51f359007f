"""Background jobs of routines and deviation reports (Django's Tasks API, django-tasks).

- `send_routine_review_reminders(day_iso)`: the daily reminder to each routine owner whose
  routines are due for review within rules.REVIEW_WARNING_DAYS days or overdue. Each routine is
  reminded about once per review date (Routine.reminded_for), however often the job runs, so
  the daily worker may simply enqueue it every day.
- `notify_deviation_reported(report_id)`: tells the unit's leaders that a new deviation report
  waits for them. It lives in elevstod.routines.notifications: this module imports the services
  (to claim reminders) and the services enqueue the notice, so the notice may not live here
  (that was an import cycle). It is named here too so that jobs already queued under this
  module's path still run.

E-mail is not a secure channel (see elevstod.support.tasks): the mails name routines, which are
no personal data, and never a pupil, a description or who reported what; the details are
behind sign-in.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from elevstod.core.mail import delivered
from elevstod.routines import rules, selectors, services
from elevstod.routines.models import Routine
from elevstod.routines.notifications import notify_deviation_reported

__all__ = ["notify_deviation_reported", "send_routine_review_reminders"]

logger = logging.getLogger(__name__)


@task()
def send_routine_review_reminders(day_iso: str) -> int:
    """One e-mail per owner with the routines that need review. Returns e-mails sent.

    `day_iso` is the day as YYYY-MM-DD (task arguments must be JSON, and the day is fixed when
    the job is enqueued). A routine whose e-mail fails is released and tried again next run.
    """
    day = date.fromisoformat(day_iso)
    by_owner: dict[uuid.UUID, list[tuple[Routine, date | None]]] = defaultdict(list)
    for routine in selectors.routines_to_remind(day):
        previous = routine.reminded_for
        if services.routine_reminder_claim(routine=routine):
            by_owner[routine.owner_id].append((routine, previous))
    sent = 0
    with get_connection() as connection:
        for claimed in by_owner.values():
            routines = [routine for routine, _previous in claimed]
            message = _reminder_message(routines, day)
            message.to = [routines[0].owner.email]
            message.connection = connection
            owner_id = routines[0].owner_id
            if delivered(message, logger, "Routine reminder to user %s failed", owner_id):
                sent += 1
            else:  # released, so the next run tries again
                for routine, previous in claimed:
                    services.routine_reminder_release(routine=routine, previous=previous)
    logger.info("Routine reminders for %s: %d e-mails sent", day_iso, sent)
    return sent


def _reminder_message(routines: list[Routine], day: date) -> EmailMessage:
    with translation.override(settings.LANGUAGE_CODE):
        lines = [
            {
                "title": routine.current_version.title if routine.current_version else "",
                "where": routine.school_unit.name if routine.school_unit else routine.provider,
                "review_by": routine.review_by,
                "overdue": rules.review_state(routine.review_by, day) is rules.ReviewState.OVERDUE,
                "url": settings.ELEVSTOD_SITE_URL
                + reverse("routines:routine_detail", args=[routine.pk]),
            }
            for routine in routines
        ]
        context = {
            "day": day,
            "lines": lines,
            "count": len(lines),
            "overdue": sum(1 for line in lines if line["overdue"]),
            "warning_days": rules.REVIEW_WARNING_DAYS,
        }
        subject = render_to_string("routines/email/review_reminder_subject.txt", context)
        body = render_to_string("routines/email/review_reminder.txt", context)
    return EmailMessage(subject=" ".join(subject.split()), body=body)
