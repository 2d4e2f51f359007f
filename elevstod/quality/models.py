"""The quality system's own records: computed figures, and the analysis people write on them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from elevstod.core.models import BaseModel

USER = settings.AUTH_USER_MODEL


class QualitySnapshot(models.Model):
    """The figures of one unit, period and year group ("" = all), as computed on `as_of`.

    Computing them reads the whole chain of a unit; the dashboards read this row instead, so a
    page costs the same at one school and at 170 (scale.md goal 4). The nightly task refreshes
    every unit; a principal's page recomputes its own unit when the row is from an earlier day.
    """

    id = models.BigAutoField(primary_key=True)
    school_unit = models.ForeignKey(
        "organisation.SchoolUnit", on_delete=models.CASCADE, related_name="+"
    )
    period = models.CharField(max_length=20)
    grade = models.CharField(max_length=4, blank=True)
    as_of = models.DateField()
    computed_at = models.DateTimeField()
    figures = models.JSONField()
    # The part the huvudman's table reads (elevstod.quality.figures.summary_of): 170 of these
    # parse in a fraction of the time the full figures take.
    summary = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school_unit", "period", "grade"], name="one_snapshot_per_unit_period"
            )
        ]
        indexes = [models.Index(fields=["period", "grade"])]

    def __str__(self) -> str:
        return f"{self.period} {self.grade}"


class FollowUpStatus(models.TextChoices):
    ACHIEVED = "achieved", _("Uppnått")
    PARTLY = "partly", _("Delvis uppnått")
    NOT_ACHIEVED = "not_achieved", _("Inte uppnått")


class QualityAnalysis(BaseModel):
    """The principal's (or the huvudman's) analysis of a school year's figures (SL 4 kap. 3–6 §§:
    follow up, analyse, and plan the improvements). Exactly one of unit and provider is set."""

    school_unit = models.ForeignKey(
        "organisation.SchoolUnit", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    provider = models.ForeignKey(
        "organisation.EducationProvider",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    school_year = models.CharField(_("läsår"), max_length=9)
    analysis = models.TextField(_("analys"), blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("kvalitetsanalys")
        constraints = [
            models.UniqueConstraint(
                fields=["school_unit", "school_year"],
                condition=models.Q(school_unit__isnull=False),
                name="one_analysis_per_unit_year",
            ),
            models.UniqueConstraint(
                fields=["provider", "school_year"],
                condition=models.Q(provider__isnull=False),
                name="one_analysis_per_provider_year",
            ),
            models.CheckConstraint(
                condition=models.Q(school_unit__isnull=True, provider__isnull=False)
                | models.Q(school_unit__isnull=False, provider__isnull=True),
                name="analysis_has_one_scope",
            ),
        ]


class ImprovementAction(BaseModel):
    """An improvement the analysis leads to. It is the next school year's goal, and that year's
    report follows it up (seed 001 § 9: results and analysis are the basis for new goals)."""

    analysis = models.ForeignKey(QualityAnalysis, on_delete=models.CASCADE, related_name="actions")
    text = models.TextField(_("förbättringsåtgärd"))
    responsible = models.CharField(_("ansvarig"), max_length=200, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    follow_up_status = models.CharField(
        _("uppföljning"), max_length=20, choices=FollowUpStatus.choices, blank=True
    )
    follow_up_note = models.TextField(_("kommentar vid uppföljning"), blank=True)
    followed_up_on = models.DateField(null=True, blank=True)
    followed_up_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
