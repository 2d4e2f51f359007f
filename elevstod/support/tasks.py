"""Background jobs of the support chain: the daily reminder e-mail (process.md rule 4).

The huvudman's deadlines are only useful if someone is told when they are near. Once a day
every staff member with an e-mail address who has something overdue or due within
REMINDER_HORIZON_DAYS days gets ONE e-mail: how many items of each kind, and a link to
"Mina uppgifter". The job runs through Django's Tasks API (django-tasks backport) so that the
web process never waits for the mail server; `manage.py run_reminders_worker` enqueues and runs
it (see that command and README "Bakgrundsjobb").
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from elevstod.access.context import load_user_context
from elevstod.support import services
from elevstod.support import workflow as wf
from elevstod.support.due import DueItem, due_for_user, due_soon, reminder_recipients
from elevstod.support.labels import TASK_KIND_LABELS

logger = logging.getLogger(__name__)

# Overdue items, and items due within this many days, are in the day's e-mail.
REMINDER_HORIZON_DAYS = 3


@task()
def send_daily_reminders(day_iso: str) -> int:
    """Send the day's reminders, once per day whoever asks (ReminderRun). Returns e-mails sent.

    `day_iso` is the day as YYYY-MM-DD: task arguments must be JSON, and the day is fixed when
    the job is enqueued, not when a worker gets round to it.
    """
    day = date.fromisoformat(day_iso)
    run = services.reminder_run_start(day=day)
    if run is None:
        logger.info("Reminders for %s were already sent; nothing to do", day_iso)
        return 0
    sent = 0
    # One connection for the whole batch; a failing recipient does not stop the others.
    with get_connection() as connection:
        for user in reminder_recipients(day):
            ctx = load_user_context(user, today=day)
            items = due_soon(
                due_for_user(user_id=user.pk, ctx=ctx, today=day), day, REMINDER_HORIZON_DAYS
            )
            if not items:
                continue
            message = _reminder_message(items, day)
            message.to = [user.email]
            message.connection = connection
            try:
                message.send()
            except Exception:  # the mail server's errors vary by backend
                # Log the user's id only: never a name or an address (base.py LOGGING).
                logger.exception("Reminder e-mail to user %s failed", user.pk)
                continue
            sent += 1
    services.reminder_run_finish(run=run, emails_sent=sent)
    logger.info("Reminders for %s: %d e-mails sent", day_iso, sent)
    return sent


def _reminder_message(items: list[DueItem], day: date) -> EmailMessage:
    """The e-mail for one person: counts per kind and a link, nothing about any pupil.

    E-mail is not a secure channel: it is stored on servers outside the huvudman's control,
    forwarded, and read on private phones. Pupil names, record contents and even which pupils
    have support are secret or sensitive (OSL 23 kap. 2 §, SL 29 kap. 14 §), so the message
    carries only counts and the link; the details are behind sign-in and the second factor.
    """
    kinds = Counter(item.kind for item in items)
    late = Counter(item.kind for item in items if item.overdue)
    with translation.override(settings.LANGUAGE_CODE):
        lines = [
            {
                "label": str(TASK_KIND_LABELS[kind]),
                "count": kinds[kind],
                "overdue": late[kind],
            }
            for kind in wf.TaskKind
            if kinds[kind]
        ]
        context = {
            "day": day,
            "lines": lines,
            "total": len(items),
            "overdue": sum(late.values()),
            "horizon": REMINDER_HORIZON_DAYS,
            "url": settings.ELEVSTOD_SITE_URL + reverse("support:my_tasks"),
        }
        subject = render_to_string("support/email/daily_reminder_subject.txt", context)
        body = render_to_string("support/email/daily_reminder.txt", context)
    return EmailMessage(subject=" ".join(subject.split()), body=body)
