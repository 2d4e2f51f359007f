"""Read-side queries for concerns (SL 3 kap. 5 §): what a concern led to, and finding one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from elevstod.support.models import Adaptation, Concern, Referral
from elevstod.support.selectors.pupil_records import of_pupil


@dataclass(frozen=True)
class LedTo:
    """What a concern led to: the adaptations given in answer and the reports it became."""

    adaptations: list[Adaptation]
    referrals: list[Referral]


def led_to(concern: Concern) -> LedTo:
    return LedTo(
        adaptations=list(
            Adaptation.objects.filter(concern=concern)
            .select_related("responsible")
            .order_by("-starts_on")
        ),
        referrals=list(Referral.objects.filter(concern=concern).order_by("-reported_on")),
    )


def concern_of_pupil(pupil_id: uuid.UUID, concern_id: object) -> Concern | None:
    """A concern named in a query string or a form, only if it is this pupil's."""
    return of_pupil(Concern.objects.all(), pupil_id, concern_id)
