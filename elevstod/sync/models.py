"""What the SS 12000 sync did (``SyncRun``) and which local row each provider entity became
(``SyncLink``), decision 0021.

SS 12000 is the master for people, organisation, groups and duties; a row the sync wrote carries a
link to the provider's id and to the run that last changed it, so every change it made is
attributable. Support records never have links: the sync never writes them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SyncKind(models.TextChoices):
    FULL = "full", _("Fullständig")
    DELTA = "delta", _("Ändringar sedan förra")


class SyncStatus(models.TextChoices):
    RUNNING = "running", _("Pågår")
    SUCCEEDED = "succeeded", _("Klar")
    PARTIAL = "partial", _("Klar med fel")
    FAILED = "failed", _("Misslyckades")


class SyncTrigger(models.TextChoices):
    SCHEDULE = "schedule", _("Schemalagd")
    COMMAND = "command", _("Kommando")
    PAGE = "page", _("Startad av administratör")


class SyncRun(models.Model):
    """One run: when, how long, what it created, updated, ended and refused, and why.

    The summary holds counts and reason codes only, never a provider's values: no personal data.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("typ"), max_length=10, choices=SyncKind.choices)
    trigger = models.CharField(_("start"), max_length=10, choices=SyncTrigger.choices)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SyncStatus.choices, default=SyncStatus.RUNNING
    )
    started_at = models.DateTimeField(_("startad"), db_index=True)
    finished_at = models.DateTimeField(_("klar"), null=True, blank=True)
    # The provider's clock, never ours. Each listing has its own mark: `since` is what this run
    # asked for per listing (a delta), `marks` the largest meta.modified each listing gave, which
    # the next delta asks after. `modified_after` and `high_water_mark` are the earliest of them.
    since = models.JSONField(default=dict)
    marks = models.JSONField(default=dict)
    modified_after = models.DateTimeField(null=True, blank=True)
    high_water_mark = models.DateTimeField(null=True, blank=True)
    # {entity: {"created": n, "updated": n, "ended": n, "refused": n, "unchanged": n}}
    counts = models.JSONField(default=dict)
    # [{"entity": ..., "reason": ..., "count": n}], the reasons as codes (sync.refusals).
    refusals = models.JSONField(default=list)
    error_code = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name = _("synkronisering")
        verbose_name_plural = _("synkroniseringar")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.kind} {self.status}"

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class LinkKind(models.TextChoices):
    PROVIDER = "provider"  # Organisation (Huvudman) → organisation.EducationProvider
    ORGANISATION = "organisation"  # an Organisation between → the EducationProvider above it
    UNIT = "unit"  # Organisation (Skolenhet) → organisation.SchoolUnit
    USER = "user"  # Person → accounts.User
    PUPIL = "pupil"  # Person → people.Pupil
    GUARDIAN = "guardian"  # Person → people.Guardian
    ENROLMENT = "enrolment"  # Person.enrolments[] → people.Placement (parent: the person)
    PLACEMENT = "placement"  # Placement (fritidshem, förskoleklass …) → people.Placement
    DUTY = "duty"  # Duty → organisation.UnitDuty
    MENTOR = "mentor"  # Duty.assignmentRole Mentor → organisation.GroupStaff (parent: duty)
    GROUP = "group"  # Group → organisation.Group
    TEACHER = "teacher"  # Activity.teachers × groups → organisation.GroupStaff (parent: activity)


class SyncLink(models.Model):
    """A provider entity (or a part of one, with its parent) and the local row it became."""

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=20, choices=LinkKind.choices)
    source_id = models.UUIDField()
    parent_id = models.UUIDField(null=True, blank=True)
    local_id = models.UUIDField()
    # A digest of the mapped values: unchanged entities are neither written nor counted as updated.
    # For a teacher's place: the duty it comes from (hex), so that the duty's end ends it.
    fingerprint = models.CharField(max_length=32, blank=True)
    ended = models.BooleanField(default=False)
    run = models.ForeignKey(SyncRun, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("koppling till SS 12000")
        verbose_name_plural = _("kopplingar till SS 12000")
        constraints = [
            models.UniqueConstraint(fields=["kind", "source_id"], name="sync_link_unique")
        ]
        indexes = [
            models.Index(fields=["kind", "parent_id"]),
            models.Index(fields=["kind", "local_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.source_id}"
