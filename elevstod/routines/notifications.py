"""The notice to a unit's leaders that a new deviation report waits for them (django-tasks).

The report is routed to the responsible manager (seed 001, last page).
`services.deviation_report_create` enqueues the notice once the report is saved. This module
reads through the selectors and writes nothing: it imports no services, so the services may
import it (elevstod.routines.tasks imports the services, which is why the notice is not there).

E-mail is not a secure channel (see elevstod.support.tasks): the mail names the unit and links
to the report behind sign-in, never a pupil, a description or who reported what.
"""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from elevstod.core.mail import delivered
from elevstod.routines import selectors
from elevstod.routines.models import DeviationReport

logger = logging.getLogger(__name__)


def enqueue_leaders_notice(report_id: uuid.UUID) -> None:
    """Ask the worker to tell the leaders; called by `transaction.on_commit` once saved."""
    notify_deviation_reported.enqueue(str(report_id))


@task()
def notify_deviation_reported(report_id: str) -> int:
    """Tell the unit's leaders (with an address) that a report waits. Returns e-mails sent."""
    report = selectors.report_by_id(uuid.UUID(report_id))
    if report is None:
        return 0
    addresses = selectors.leader_addresses(
        report.school_unit_id, timezone.localdate(), exclude_user_id=report.created_by_id
    )
    if not addresses:
        return 0
    subject, body = _notice_text(report)
    sent = 0
    with get_connection() as connection:
        for address in addresses:
            message = EmailMessage(subject=subject, body=body, to=[address], connection=connection)
            sent += delivered(message, logger, "Deviation notice for report %s failed", report.pk)
    return sent


def _notice_text(report: DeviationReport) -> tuple[str, str]:
    """The subject (on one line) and the body, always in Swedish."""
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "unit": report.school_unit.name,
            "url": settings.ELEVSTOD_SITE_URL
            + reverse("routines:deviation_detail", args=[report.pk]),
        }
        subject = render_to_string("routines/email/deviation_reported_subject.txt", context)
        body = render_to_string("routines/email/deviation_reported.txt", context)
    return " ".join(subject.split()), body
