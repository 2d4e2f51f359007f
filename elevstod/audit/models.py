"""The access log (security.md P1): one append-only row per read, print, export or refusal.

Rows are never updated or deleted by the application. On PostgreSQL a trigger refuses UPDATE and
DELETE (migration 0002). Foreign keys carry no database constraint, so that neither a deleted user
nor a deleted pupil can ever cascade into the log.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessAction(models.TextChoices):
    VIEW = "view", _("Läsning")
    LIST = "list", _("Lista")
    PRINT = "print", _("Utskrift")
    EXPORT = "export", _("Export")
    CREATE = "create", _("Skapande")
    UPDATE = "update", _("Ändring")
    LOG_REVIEW = "log_review", _("Loggkontroll")
    TOKEN_USE = "token_use", _("API-nyckel använd")


class AccessOutcome(models.TextChoices):
    ALLOWED = "allowed", _("Tillåten")
    DENIED = "denied", _("Nekad")


class AccessEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField(_("tidpunkt"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    acting_role = models.CharField(_("roll"), max_length=40, blank=True)
    school_unit = models.ForeignKey(
        "organisation.SchoolUnit",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    pupil = models.ForeignKey(
        "people.Pupil",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    record_type = models.CharField(_("posttyp"), max_length=60)
    record_id = models.CharField(_("post"), max_length=64, blank=True)
    action = models.CharField(_("åtgärd"), max_length=20, choices=AccessAction.choices)
    outcome = models.CharField(_("utfall"), max_length=10, choices=AccessOutcome.choices)
    purpose = models.CharField(_("ändamål"), max_length=100, blank=True)
    channel = models.CharField(_("kanal"), max_length=10, default="web")

    class Meta:
        verbose_name = _("åtkomsthändelse")
        verbose_name_plural = _("åtkomstlogg")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["pupil", "occurred_at"]),
            models.Index(fields=["actor", "occurred_at"]),
            models.Index(fields=["school_unit", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.outcome}"


class ReviewOutcome(models.TextChoices):
    NO_REMARKS = "no_remarks", _("Inga anmärkningar")
    FOLLOW_UP = "follow_up", _("Behöver följas upp")
    INCIDENT = "incident", _("Misstänkt obehörig åtkomst – anmäls")


class LogReview(models.Model):
    """A documented sample check of the access log (loggkontroll, security.md P4)."""

    id = models.BigAutoField(primary_key=True)
    reviewed_at = models.DateTimeField(auto_now_add=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="log_reviews"
    )
    school_unit = models.ForeignKey(
        "organisation.SchoolUnit", on_delete=models.PROTECT, related_name="log_reviews"
    )
    period_start = models.DateField(_("period från"))
    period_end = models.DateField(_("period till"))
    pupil = models.ForeignKey(
        "people.Pupil", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    events_seen = models.PositiveIntegerField(_("granskade händelser"), default=0)
    outcome = models.CharField(_("resultat"), max_length=20, choices=ReviewOutcome.choices)
    note = models.TextField(_("anteckning"), blank=True)

    class Meta:
        verbose_name = _("loggkontroll")
        verbose_name_plural = _("loggkontroller")
        ordering = ["-reviewed_at"]

    def __str__(self) -> str:
        return f"{self.reviewed_at:%Y-%m-%d} {self.outcome}"
