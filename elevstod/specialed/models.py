"""Documentation of special-education work (seed 001: Stockholm's quality system, §§ 2–4, 6, 8, 9).

period (the assignment and its goals for a term or a school year, § 3)
  ← intervention (what the special educator did, and the learning environment's hinders and
    supports, §§ 4, 6, 8)
  ← report (the special educator's report to the rektor, with result and analysis per goal,
    reviewed by the rektor, § 9) → proposals become the next period's goals.
competence plan per special educator and school year, with activities and follow-ups (§ 2).

Never a diagnosis: the work is described on the learning environment (seed 001 § 6). Services
(elevstod.specialed.services) are the only writers.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from elevstod.core.models import BaseModel
from elevstod.specialed import rules

USER = settings.AUTH_USER_MODEL


class Level(models.TextChoices):
    ORGANISATION = rules.Level.ORGANISATION.value, _("Organisationsnivå")
    GROUP = rules.Level.GROUP.value, _("Gruppnivå")
    INDIVIDUAL = rules.Level.INDIVIDUAL.value, _("Individnivå")


class InterventionKind(models.TextChoices):
    STAFF_GUIDANCE = rules.InterventionKind.STAFF_GUIDANCE.value, _("Handledning av personal")
    MAPPING = rules.InterventionKind.MAPPING.value, _("Kartläggning")
    TEACHING = rules.InterventionKind.TEACHING.value, _("Undervisning")
    COOPERATION = rules.InterventionKind.COOPERATION.value, _("Samverkan och samarbete")
    ASSESSMENT = (
        rules.InterventionKind.ASSESSMENT.value,
        _("Pedagogisk bedömning eller utredning"),
    )
    PUPIL_HEALTH_TEAM = rules.InterventionKind.PUPIL_HEALTH_TEAM.value, _("Elevhälsoteamsarbete")
    OTHER = rules.InterventionKind.OTHER.value, _("Annat")


class PeriodKind(models.TextChoices):
    TERM = rules.PeriodKind.TERM.value, _("Termin")
    SCHOOL_YEAR = rules.PeriodKind.SCHOOL_YEAR.value, _("Läsår")


class ReportState(models.TextChoices):
    DRAFT = rules.ReportState.DRAFT.value, _("Utkast")
    SUBMITTED = rules.ReportState.SUBMITTED.value, _("Lämnad till rektor")
    REVIEWED = rules.ReportState.REVIEWED.value, _("Uppföljd av rektor")


class GoalAttainment(models.TextChoices):
    MET = rules.GoalAttainment.MET.value, _("Uppnått")
    PARTLY = rules.GoalAttainment.PARTLY.value, _("Delvis uppnått")
    NOT_MET = rules.GoalAttainment.NOT_MET.value, _("Inte uppnått")


class ActivityKind(models.TextChoices):
    COURSE = rules.ActivityKind.COURSE.value, _("Kurs/utbildning")
    SUPERVISION = rules.ActivityKind.SUPERVISION.value, _("Handledning")
    PEER_LEARNING = rules.ActivityKind.PEER_LEARNING.value, _("Kollegialt lärande")
    RESEARCH = rules.ActivityKind.RESEARCH.value, _("Forskningsbevakning")
    OTHER = rules.ActivityKind.OTHER.value, _("Annat")


class Period(BaseModel):
    """The assignment (uppdrag) of the unit's special-education work for a term or a school
    year, formulated by the rektor in dialogue with the special educators (seed 001 § 3)."""

    school_unit = models.ForeignKey(
        "organisation.SchoolUnit", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("period"), max_length=40)
    kind = models.CharField(_("typ av period"), max_length=20, choices=PeriodKind.choices)
    starts_on = models.DateField(_("från och med"))
    ends_on = models.DateField(_("till och med"))
    assignment = models.TextField(_("uppdraget"), blank=True)
    dialogue_on = models.DateField(
        _("dialog med specialpedagog/speciallärare"), null=True, blank=True
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = _("uppdragsperiod")
        verbose_name_plural = _("uppdragsperioder")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school_unit", "name"], name="specialed_period_name"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="specialed_period_ordered"
            ),
        ]
        indexes = [models.Index(fields=["school_unit", "starts_on"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("specialed:period_detail", kwargs={"period_id": self.pk})


class Goal(BaseModel):
    """One goal of the period: what we aim for and how we will know (seed 001 §§ 3, 9)."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="goals")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(_("mål"))
    indicator = models.TextField(_("så vet vi att målet nås"), blank=True)
    special_educator = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gäller"),
    )
    # The follow-up chain (seed 001 § 9): a goal made from a report's proposed improvement.
    origin_report = models.ForeignKey(
        "specialed.Report", on_delete=models.PROTECT, null=True, related_name="adopted_goals"
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = _("mål")
        verbose_name_plural = _("mål")
        ordering = ["position", "created_at"]

    def __str__(self) -> str:
        return self.text[:60]


class Intervention(BaseModel):
    """One piece of special-education work, recorded by the one who did it (seed 001 § 8)."""

    school_unit = models.ForeignKey(
        "organisation.SchoolUnit", on_delete=models.PROTECT, related_name="+"
    )
    performed_on = models.DateField(_("datum"))
    level = models.CharField(_("nivå"), max_length=20, choices=Level.choices)
    kind = models.CharField(_("typ av insats"), max_length=30, choices=InterventionKind.choices)
    group = models.ForeignKey(
        "organisation.Group",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("undervisningsgrupp"),
    )
    pupil = models.ForeignKey(
        "people.Pupil",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("elev"),
    )
    minutes = models.PositiveIntegerField(_("tid i minuter"))
    description = models.TextField(_("vad som gjordes"))
    # Seed 001 §§ 6, 8: what in the learning environment hinders and what supports.
    hinders = models.TextField(_("vad i lärmiljön hindrar"), blank=True)
    supports = models.TextField(_("vad i lärmiljön stödjer"), blank=True)
    goal = models.ForeignKey(
        Goal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="interventions",
        verbose_name=_("kopplat till mål"),
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = _("specialpedagogisk insats")
        verbose_name_plural = _("specialpedagogiska insatser")
        ordering = ["-performed_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pupil__isnull=True) | Q(level=Level.INDIVIDUAL),
                name="specialed_pupil_only_individual",
            ),
            models.CheckConstraint(
                condition=Q(group__isnull=True) | Q(level=Level.GROUP),
                name="specialed_group_only_group_level",
            ),
            models.CheckConstraint(condition=Q(minutes__gt=0), name="specialed_minutes_positive"),
        ]
        indexes = [
            models.Index(fields=["school_unit", "performed_on"]),
            models.Index(fields=["created_by", "performed_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.performed_on} {self.kind}"

    def get_absolute_url(self) -> str:
        return reverse("specialed:intervention_detail", kwargs={"intervention_id": self.pk})


class Report(BaseModel):
    """The special educator's report to the rektor for a period (seed 001 § 9)."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="reports")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        _("status"), max_length=20, choices=ReportState.choices, default=ReportState.DRAFT
    )
    overall_analysis = models.TextField(_("samlad analys"), blank=True)
    improvements = models.TextField(_("förslag på förbättringar"), blank=True)
    # The level and kind figures as they were when the report was handed in, so the rektor
    # follows up what was reported even if entries are corrected later.
    figures = models.JSONField(default=dict, blank=True)
    submitted_at = models.DateTimeField(null=True)
    review_comment = models.TextField(_("rektorns kommentar"), blank=True)
    reviewed_at = models.DateTimeField(null=True)
    reviewed_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    returned_at = models.DateTimeField(null=True)
    returned_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    proposals_adopted_at = models.DateTimeField(null=True)
    proposals_adopted_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = _("rapport till rektor")
        verbose_name_plural = _("rapporter till rektor")
        ordering = ["-period__starts_on", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["period", "author"], name="specialed_report_once")
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.state}"

    def get_absolute_url(self) -> str:
        return reverse("specialed:report_detail", kwargs={"report_id": self.pk})


class ReportGoal(BaseModel):
    """Result and analysis of one goal in a report, and the rektor's assessment of it."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="goal_entries")
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="+")
    result = models.TextField(_("resultat"), blank=True)
    analysis = models.TextField(_("analys"), blank=True)
    attainment = models.CharField(
        _("måluppfyllelse"), max_length=10, choices=GoalAttainment.choices, blank=True
    )

    class Meta:
        verbose_name = _("mål i rapport")
        verbose_name_plural = _("mål i rapport")
        constraints = [
            models.UniqueConstraint(fields=["report", "goal"], name="specialed_report_goal_once")
        ]


class CompetencePlan(BaseModel):
    """A special educator's competence plan for a school year (seed 001 § 2): needs mapped in
    dialogue with the rektor, tied to the assignment description, agreed by the rektor."""

    school_unit = models.ForeignKey(
        "organisation.SchoolUnit", on_delete=models.PROTECT, related_name="+"
    )
    special_educator = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    academic_year = models.ForeignKey(
        "organisation.AcademicYear",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("läsår"),
    )
    assignment_description = models.TextField(_("uppdragsbeskrivning"), blank=True)
    development_needs = models.TextField(_("behov av kompetensutveckling"), blank=True)
    version = models.PositiveIntegerField(default=1)
    agreed_on = models.DateField(_("överenskommen"), null=True)
    agreed_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = _("kompetensplan")
        verbose_name_plural = _("kompetensplaner")
        ordering = ["-academic_year__starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["school_unit", "special_educator", "academic_year"],
                name="specialed_plan_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.academic_year_id} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("specialed:plan_detail", kwargs={"plan_id": self.pk})


class CompetencePlanVersion(BaseModel):
    """An agreed version of a plan, kept when its needs or assignment text change afterwards:
    what was agreed, by whom, and who replaced it (seed 001 § 2 "säkerställas i en
    kompetensplan")."""

    plan = models.ForeignKey(CompetencePlan, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    assignment_description = models.TextField(blank=True)
    development_needs = models.TextField(blank=True)
    agreed_on = models.DateField(null=True)
    agreed_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    replaced_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("tidigare version av kompetensplan")
        verbose_name_plural = _("tidigare versioner av kompetensplaner")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "version"], name="specialed_plan_version_once")
        ]


class PlannedActivity(BaseModel):
    plan = models.ForeignKey(CompetencePlan, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("typ"), max_length=20, choices=ActivityKind.choices)
    title = models.CharField(_("aktivitet"), max_length=200)
    planned_on = models.DateField(_("planerat datum"), null=True, blank=True)
    done_on = models.DateField(_("genomfört datum"), null=True, blank=True)
    outcome = models.TextField(_("resultat och lärdomar"), blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = _("planerad aktivitet")
        verbose_name_plural = _("planerade aktiviteter")
        ordering = ["planned_on", "created_at"]


class PlanFollowUp(BaseModel):
    plan = models.ForeignKey(CompetencePlan, on_delete=models.CASCADE, related_name="follow_ups")
    on_date = models.DateField(_("datum"))
    text = models.TextField(_("uppföljning"))
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("uppföljning av kompetensplan")
        verbose_name_plural = _("uppföljningar av kompetensplaner")
        ordering = ["-on_date", "-created_at"]
