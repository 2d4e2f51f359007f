"""Documented routines and deviation reports: two parts of the quality system (seed 001).

A quality system needs "dokumenterade rutiner" (seed 001 § 1): for the investigation of a
pupil's need of special support, the pupil health team, cooperation between professions, early
detection and external cooperation (§ 7), and follow-up and evaluation (§ 9). A routine belongs
to one school unit or to the huvudman (then it applies at all of its units). Its text is
versioned: a published version is never edited in place, a revision makes the next version.

A deviation report (avvikelserapport, the seed's last page, the BUS agreement of Stockholm
County) records a cooperation problem between the school and socialtjänst, BUP, barnmedicin or
habilitering that cannot be solved locally or is of a principled nature. It names a pupil only
when that is needed, with the reason stated.

Services (elevstod.routines.services) are the only writers.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from elevstod.core.models import BaseModel

USER = settings.AUTH_USER_MODEL


class RoutineCategory(models.TextChoices):
    """The routines the quality system asks for, in the seed's order, and "other"."""

    INVESTIGATION = "investigation", _("Utredning av behov av särskilt stöd")
    PUPIL_HEALTH_TEAM = "pupil_health_team", _("Elevhälsoteamets arbete")
    COLLABORATION = (
        "collaboration",
        _("Samarbete mellan elevhälsans yrkesgrupper och övrig personal"),
    )
    EARLY_DETECTION = "early_detection", _("Tidig upptäckt")
    SOCIAL_SERVICES = "social_services", _("Extern samverkan med socialtjänst")
    CHILD_PSYCHIATRY = "child_psychiatry", _("Extern samverkan med BUP")
    HABILITATION = "habilitation", _("Extern samverkan med habilitering")
    DEVIATION_REPORTING = "deviation_reporting", _("Avvikelserapportering")
    FOLLOW_UP = (
        "follow_up",
        _("Uppföljning och utvärdering av specialpedagogiska insatser"),
    )
    OTHER = "other", _("Annat")


class Routine(BaseModel):
    """One documented routine: where it applies, who owns it, when it is reviewed next.

    The text lives in RoutineVersion; `current_version` points at the one in force.
    """

    school_unit = models.ForeignKey(
        "organisation.SchoolUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("skolenhet"),
    )
    provider = models.ForeignKey(
        "organisation.EducationProvider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("huvudman"),
    )
    category = models.CharField(_("område"), max_length=30, choices=RoutineCategory.choices)
    owner = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("ägare")
    )
    current_version = models.ForeignKey(
        "RoutineVersion", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The routine's value is "granskas regelbundet" (seed 001 § 9): the next review date.
    review_by = models.DateField(_("granskas senast"))
    reviewed_on = models.DateField(_("senast granskad"))
    # The review date a reminder was sent for: one e-mail per routine and review date.
    reminded_for = models.DateField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("rutin")
        verbose_name_plural = _("rutiner")
        constraints = [
            # Exactly one of school unit and huvudman.
            models.CheckConstraint(
                condition=(Q(school_unit__isnull=False) & Q(provider__isnull=True))
                | (Q(school_unit__isnull=True) & Q(provider__isnull=False)),
                name="routine_unit_or_provider",
            )
        ]
        indexes = [models.Index(fields=["review_by"])]

    def __str__(self) -> str:
        return f"{self.get_category_display()} ({self.pk})"

    @property
    def is_provider_wide(self) -> bool:
        return self.provider_id is not None


class RoutineVersion(BaseModel):
    """One published text of a routine. Never changed after it is written."""

    routine = models.ForeignKey(Routine, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("rubrik"), max_length=200)
    purpose = models.TextField(_("syfte"))
    content = models.TextField(_("innehåll"))
    change_note = models.TextField(_("vad som ändrats"), blank=True)
    approved_on = models.DateField(_("fastställd"))
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("version av rutin")
        verbose_name_plural = _("versioner av rutiner")
        ordering = ["routine", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["routine", "number"], name="one_routine_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"


class RoutineReview(BaseModel):
    """A review that found the routine still right: who, when, and the next review date."""

    routine = models.ForeignKey(Routine, on_delete=models.CASCADE, related_name="reviews")
    version_number = models.PositiveIntegerField(_("version"))
    reviewed_on = models.DateField(_("granskad"))
    next_review_by = models.DateField(_("nästa granskning"))
    note = models.TextField(_("kommentar"), blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("granskning av rutin")
        verbose_name_plural = _("granskningar av rutiner")
        ordering = ["-reviewed_on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.reviewed_on} v{self.version_number}"


class Counterpart(models.TextChoices):
    """The activities of the BUS agreement the school may cooperate with (seed 001, last page)."""

    SOCIAL_SERVICES = "social_services", _("Socialtjänst")
    CHILD_PSYCHIATRY = "child_psychiatry", _("Barnpsykiatri (BUP)")
    PAEDIATRICS = "paediatrics", _("Barnmedicin")
    HABILITATION = "habilitation", _("Habilitering")


# The boolean field that stores each counterpart: one column each, so that counts per
# counterpart are plain aggregates in one query on SQLite and PostgreSQL alike.
COUNTERPART_FIELDS: dict[str, str] = {
    Counterpart.SOCIAL_SERVICES: "with_social_services",
    Counterpart.CHILD_PSYCHIATRY: "with_child_psychiatry",
    Counterpart.PAEDIATRICS: "with_paediatrics",
    Counterpart.HABILITATION: "with_habilitation",
}


class DeviationNature(models.TextChoices):
    """What is to be reported (seed 001, last page): one or both."""

    NOT_SOLVABLE_LOCALLY = "not_solvable_locally", _("Går inte att lösa på lokal nivå")
    PRINCIPLED = "principled", _("Av principiell natur")


NATURE_FIELDS: dict[str, str] = {
    DeviationNature.NOT_SOLVABLE_LOCALLY: "not_solvable_locally",
    DeviationNature.PRINCIPLED: "principled",
}


def kind_flags(counterparts: Iterable[str], natures: Iterable[str]) -> dict[str, bool]:
    """The boolean columns of a report that concerns these counterparts and natures."""
    chosen = set(counterparts) | set(natures)
    return {name: value in chosen for value, name in (COUNTERPART_FIELDS | NATURE_FIELDS).items()}


class DeviationStatus(models.TextChoices):
    REPORTED = "reported", _("Rapporterad")
    UNDER_HANDLING = "under_handling", _("Under handläggning")
    REPORTED_TO_KSL = "reported_to_ksl", _("Rapporterad till BUS-sekretariatet (KSL)")
    CLOSED = "closed", _("Avslutad")


class DeviationReport(BaseModel):
    """A cooperation problem, reported by a staff member and handled by the unit's leaders."""

    school_unit = models.ForeignKey(
        "organisation.SchoolUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("skolenhet"),
    )
    occurred_on = models.DateField(_("inträffade"))
    with_social_services = models.BooleanField(_("socialtjänst"), default=False)
    with_child_psychiatry = models.BooleanField(_("barnpsykiatri (BUP)"), default=False)
    with_paediatrics = models.BooleanField(_("barnmedicin"), default=False)
    with_habilitation = models.BooleanField(_("habilitering"), default=False)
    not_solvable_locally = models.BooleanField(_("går inte att lösa lokalt"), default=False)
    principled = models.BooleanField(_("av principiell natur"), default=False)
    description = models.TextField(_("beskrivning av problemet"))
    tried_locally = models.TextField(_("vad som prövats lokalt"))
    # Pupil data only when needed. `concerns_pupil` stays true even if the pupil record is
    # later disposed of, so the texts never reach an export (see exports.py).
    concerns_pupil = models.BooleanField(_("gäller en elev"), default=False)
    pupil = models.ForeignKey(
        "people.Pupil",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("elev"),
    )
    pupil_reason = models.TextField(_("skäl att ange eleven"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=DeviationStatus.choices,
        default=DeviationStatus.REPORTED,
    )
    ksl_reported_on = models.DateField(
        _("rapporterad till BUS-sekretariatet"), null=True, blank=True
    )
    closed_on = models.DateField(_("avslutad"), null=True, blank=True)
    outcome = models.TextField(_("utfall"), blank=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("rapporterad av")
    )
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("avvikelserapport")
        verbose_name_plural = _("avvikelserapporter")
        ordering = ["-occurred_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(with_social_services=True)
                | Q(with_child_psychiatry=True)
                | Q(with_paediatrics=True)
                | Q(with_habilitation=True),
                name="deviation_has_counterpart",
            ),
            models.CheckConstraint(
                condition=Q(not_solvable_locally=True) | Q(principled=True),
                name="deviation_has_nature",
            ),
            # A linked pupil always comes with its reason.
            models.CheckConstraint(
                condition=Q(pupil__isnull=True) | (Q(concerns_pupil=True) & ~Q(pupil_reason="")),
                name="deviation_pupil_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["school_unit", "status"]),
            models.Index(fields=["created_by", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.status}"

    def _flagged(self, fields: dict[str, str]) -> list[str]:
        return [value for value, name in fields.items() if getattr(self, name)]

    @property
    def counterparts(self) -> list[str]:
        return self._flagged(COUNTERPART_FIELDS)

    @property
    def counterpart_labels(self) -> list[str]:
        return [str(Counterpart(value).label) for value in self.counterparts]

    @property
    def natures(self) -> list[str]:
        return self._flagged(NATURE_FIELDS)

    @property
    def nature_labels(self) -> list[str]:
        return [str(DeviationNature(value).label) for value in self.natures]


class DeviationStatusChange(BaseModel):
    """Each step of the handling: who moved the report from which status to which, and when."""

    report = models.ForeignKey(
        DeviationReport, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=20, choices=DeviationStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=DeviationStatus.choices)
    note = models.TextField(_("kommentar"), blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("statusändring")
        verbose_name_plural = _("statusändringar")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"
