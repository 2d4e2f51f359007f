"""Sending one e-mail of a batch, so that one failing recipient does not stop the others."""

from __future__ import annotations

import logging

from django.core.mail import EmailMessage


def delivered(message: EmailMessage, logger: logging.Logger, failure: str, *args: object) -> bool:
    """Send `message`; True when the mail server took it. A failure is logged on `logger` as
    `failure % args`, which names ids only, never a name or an address (base.py LOGGING)."""
    try:
        message.send()
    except Exception:  # the mail server's errors vary by backend
        logger.exception(failure, *args)
        return False
    return True
