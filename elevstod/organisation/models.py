"""The organisation: huvudman → school unit → groups per academic year, and staff duties.

Also the elevhälsoteam of each unit and the rektor's delegation register (SL 2 kap. 10 §).
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from elevstod.core.models import BaseModel
from elevstod.organisation.duties import (
    DECISION_TYPE_LABELS,
    NON_DELEGABLE,
    PROVIDER_DUTY_LABELS,
    UNIT_DUTY_LABELS,
    non_delegable_reason,
)
from elevstod.organisation.school_forms import school_form_choices


def _choices(labels: dict) -> list[tuple[str, object]]:
    return [(key.value, label) for key, label in labels.items()]


class ProviderKind(models.TextChoices):
    MUNICIPAL = "municipal", _("Kommunal")
    INDEPENDENT = "independent", _("Enskild (fristående)")
    STATE = "state", _("Statlig")


class EducationProvider(BaseModel):
    """Huvudman: a municipality, region, state agency or an independent organiser."""

    name = models.CharField(_("namn"), max_length=200)
    organisation_number = models.CharField(_("organisationsnummer"), max_length=11, unique=True)
    kind = models.CharField(_("typ"), max_length=20, choices=ProviderKind.choices)

    class Meta:
        verbose_name = _("huvudman")
        verbose_name_plural = _("huvudmän")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SchoolUnit(BaseModel):
    provider = models.ForeignKey(
        EducationProvider, on_delete=models.PROTECT, related_name="school_units"
    )
    name = models.CharField(_("namn"), max_length=200)
    # Skolenhetskod from Skolverket's register, eight digits.
    unit_code = models.CharField(_("skolenhetskod"), max_length=8, unique=True)
    school_forms = models.JSONField(
        _("skolformer"), default=list, help_text=_("Skolformerna som enheten bedriver.")
    )
    municipality_code = models.CharField(_("kommunkod"), max_length=4, blank=True)

    class Meta:
        verbose_name = _("skolenhet")
        verbose_name_plural = _("skolenheter")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        allowed = {value for value, _label in school_form_choices()}
        unknown = [form for form in self.school_forms if form not in allowed]
        if unknown:
            raise ValidationError({"school_forms": _("Okänd skolform.")})


class AcademicYear(BaseModel):
    """Läsår, e.g. 2026/27. Groups belong to one academic year."""

    name = models.CharField(_("namn"), max_length=9, unique=True)
    starts_on = models.DateField(_("första dag"))
    ends_on = models.DateField(_("sista dag"))

    class Meta:
        verbose_name = _("läsår")
        verbose_name_plural = _("läsår")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="academic_year_ends_after"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def containing(cls, day: date) -> "AcademicYear | None":
        return cls.objects.filter(starts_on__lte=day, ends_on__gte=day).first()


class GroupKind(models.TextChoices):
    CLASS = "class", _("Klass")
    TEACHING_GROUP = "teaching_group", _("Undervisningsgrupp")
    MENTOR_GROUP = "mentor_group", _("Mentorsgrupp")


class Group(BaseModel):
    school_unit = models.ForeignKey(SchoolUnit, on_delete=models.PROTECT, related_name="groups")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="groups")
    name = models.CharField(_("namn"), max_length=100)
    kind = models.CharField(_("typ"), max_length=20, choices=GroupKind.choices)
    school_form = models.CharField(_("skolform"), max_length=30, choices=school_form_choices())
    grade = models.PositiveSmallIntegerField(_("årskurs"), null=True, blank=True)
    subject = models.CharField(_("ämne"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("grupp")
        verbose_name_plural = _("grupper")
        ordering = ["name"]
        indexes = [models.Index(fields=["school_unit", "academic_year"])]

    def __str__(self) -> str:
        return self.name


class GroupStaffRole(models.TextChoices):
    TEACHER = "teacher", _("Lärare")
    MENTOR = "mentor", _("Mentor")


class GroupStaff(BaseModel):
    """A teacher who teaches a group, or the mentor of a mentor group or class."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_roles"
    )
    role = models.CharField(_("roll"), max_length=10, choices=GroupStaffRole.choices)

    class Meta:
        verbose_name = _("personal i grupp")
        verbose_name_plural = _("personal i grupper")
        constraints = [
            models.UniqueConstraint(fields=["group", "user", "role"], name="group_staff_unique")
        ]
        indexes = [models.Index(fields=["user", "role"])]


class UnitDuty(BaseModel):
    """A staff member's duty (tjänst/funktion) at a school unit for a period."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unit_duties"
    )
    school_unit = models.ForeignKey(SchoolUnit, on_delete=models.CASCADE, related_name="duties")
    duty = models.CharField(_("uppdrag"), max_length=30, choices=_choices(UNIT_DUTY_LABELS))
    starts_on = models.DateField(_("från"))
    ends_on = models.DateField(_("till"), null=True, blank=True)

    class Meta:
        verbose_name = _("uppdrag på skolenhet")
        verbose_name_plural = _("uppdrag på skolenheter")
        indexes = [
            models.Index(fields=["user", "duty"]),
            models.Index(fields=["school_unit", "duty"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_duty_display()} – {self.school_unit}"


class ProviderDuty(BaseModel):
    """A duty at the huvudman itself: administration or quality and analysis."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_duties"
    )
    provider = models.ForeignKey(EducationProvider, on_delete=models.CASCADE, related_name="duties")
    duty = models.CharField(_("uppdrag"), max_length=30, choices=_choices(PROVIDER_DUTY_LABELS))

    class Meta:
        verbose_name = _("uppdrag hos huvudman")
        verbose_name_plural = _("uppdrag hos huvudman")


class PupilHealthTeam(BaseModel):
    """Elevhälsoteam (EHT) of a school unit (SL 2 kap. 25 §)."""

    school_unit = models.OneToOneField(
        SchoolUnit, on_delete=models.CASCADE, related_name="pupil_health_team"
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="pupil_health_teams", blank=True
    )

    class Meta:
        verbose_name = _("elevhälsoteam")
        verbose_name_plural = _("elevhälsoteam")

    def __str__(self) -> str:
        return f"EHT {self.school_unit}"


class Delegation(BaseModel):
    """The rektor hands a named decision type to a named person for a period (SL 2 kap. 10 §).

    Decisions that 3 kap. 9 § second paragraph, 7 kap. 18 § and 7 kap. 19 § reserve for the rektor
    cannot be delegated: refused here, in the form, and by a database constraint.
    """

    school_unit = models.ForeignKey(
        SchoolUnit, on_delete=models.PROTECT, related_name="delegations"
    )
    delegated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_given"
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_held"
    )
    decision_type = models.CharField(
        _("beslutstyp"), max_length=40, choices=_choices(DECISION_TYPE_LABELS)
    )
    valid_from = models.DateField(_("gäller från"))
    valid_until = models.DateField(_("gäller till och med"))
    note = models.CharField(_("kommentar"), max_length=300, blank=True)
    revoked_at = models.DateTimeField(_("återkallad"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delegations_revoked",
    )

    class Meta:
        verbose_name = _("delegering")
        verbose_name_plural = _("delegeringar")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision_type__in=[kind.value for kind in NON_DELEGABLE]),
                name="delegation_not_reserved_for_principal",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")),
                name="delegation_period_ordered",
            ),
        ]
        indexes = [models.Index(fields=["delegate", "decision_type"])]

    def clean(self) -> None:
        errors: dict[str, str] = {}
        reason = non_delegable_reason(self.decision_type) if self.decision_type else None
        if reason:
            errors["decision_type"] = reason
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors["valid_until"] = str(_("Slutdatumet kan inte ligga före startdatumet."))
        if self.delegate_id and self.delegate_id == self.delegated_by_id:
            errors["delegate"] = str(_("Rektorn kan inte delegera till sig själv."))
        if errors:
            raise ValidationError(errors)

    def covers(self, decision_type: str, day: date) -> bool:
        return (
            self.revoked_at is None
            and self.decision_type == decision_type
            and self.valid_from <= day <= self.valid_until
        )


class SchoolTerms(BaseModel):
    """Läsårstider: the last day of the autumn and the spring term of one academic year, set by
    the huvudman for all its units, or for one unit where the unit's differ (decision 0015).

    A distance-teaching decision covers at most one term (SL 3 kap. 11 a §): these are the terms
    it is measured against. Years nobody has set take the defaults in
    support.workflow.programmes (DEFAULT_LAST_DAY).
    """

    provider = models.ForeignKey(
        EducationProvider, on_delete=models.CASCADE, related_name="school_terms"
    )
    school_unit = models.ForeignKey(
        SchoolUnit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="school_terms",
        verbose_name=_("skolenhet"),
        help_text=_("Tomt: gäller alla huvudmannens skolenheter som inte har egna terminstider."),
    )
    academic_year = models.PositiveSmallIntegerField(_("läsåret börjar år"))
    autumn_last_day = models.DateField(_("höstterminens sista dag"))
    spring_last_day = models.DateField(_("vårterminens sista dag"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("läsårstider")
        verbose_name_plural = _("läsårstider")
        ordering = ["-academic_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "academic_year"],
                condition=Q(school_unit__isnull=True),
                name="one_provider_terms_per_year",
            ),
            models.UniqueConstraint(
                fields=["school_unit", "academic_year"],
                condition=Q(school_unit__isnull=False),
                name="one_unit_terms_per_year",
            ),
            models.CheckConstraint(
                condition=Q(spring_last_day__gt=models.F("autumn_last_day")),
                name="spring_term_after_autumn_term",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.academic_year}/{(self.academic_year + 1) % 100:02d}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        year = self.academic_year
        if year and self.autumn_last_day and self.autumn_last_day.year != year:
            errors["autumn_last_day"] = str(
                _("Höstterminen slutar under läsårets första kalenderår.")
            )
        if year and self.spring_last_day and self.spring_last_day.year != year + 1:
            errors["spring_last_day"] = str(
                _("Vårterminen slutar under läsårets andra kalenderår.")
            )
        if (
            self.school_unit_id
            and self.school_unit
            and self.school_unit.provider_id != (self.provider_id)
        ):
            errors["school_unit"] = str(_("Skolenheten hör inte till huvudmannen."))
        if errors:
            raise ValidationError(errors)
