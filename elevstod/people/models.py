"""Pupils, their placements and group memberships, guardians with custody, protected identity."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from elevstod.core.models import BaseModel
from elevstod.organisation.models import Group, SchoolUnit
from elevstod.organisation.school_forms import school_form_choices
from elevstod.people.identity import IdentityKind, parse_identity_number


class Gender(models.TextChoices):
    # Recorded for equity statistics by gender (Skolverket reports by it), never for diagnosis.
    FEMALE = "female", _("Flicka")
    MALE = "male", _("Pojke")
    OTHER = "other", _("Annat")
    UNKNOWN = "unknown", _("Ej angivet")


class ProtectedIdentity(models.TextChoices):
    NONE = "none", _("Ingen")
    CONFIDENTIALITY_MARKING = "confidentiality_marking", _("Sekretessmarkering")
    PROTECTED_REGISTRATION = "protected_registration", _("Skyddad folkbokföring")
    # The school-administration system gave no marking (SS 12000 securityMarking missing): treated
    # as protected until it says "Ingen" (issue 11, decision 0021).
    MARKING_MISSING = "marking_missing", _("Uppgift saknas – hanteras som skyddad")


def validate_identity_number(value: str) -> None:
    try:
        parse_identity_number(value)
    except ValueError as exc:
        raise ValidationError(
            _("Ange ett giltigt personnummer eller samordningsnummer (ÅÅÅÅMMDDNNNN).")
        ) from exc


class Person(BaseModel):
    first_name = models.CharField(_("förnamn"), max_length=100)
    last_name = models.CharField(_("efternamn"), max_length=100)
    identity_number = models.CharField(
        _("personnummer"),
        max_length=12,
        blank=True,
        help_text=_("Personnummer eller samordningsnummer, tolv siffror."),
    )
    identity_kind = models.CharField(
        _("identitetstyp"),
        max_length=20,
        choices=[(kind.value, kind.value.capitalize()) for kind in IdentityKind],
        default=IdentityKind.PERSONAL_IDENTITY_NUMBER,
    )
    street_address = models.CharField(_("gatuadress"), max_length=200, blank=True)
    postal_code = models.CharField(_("postnummer"), max_length=6, blank=True)
    city = models.CharField(_("ort"), max_length=100, blank=True)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    email = models.EmailField(_("e-post"), blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def clean(self) -> None:
        if self.identity_kind == IdentityKind.RESERVE:
            return
        if not self.identity_number:
            raise ValidationError({"identity_number": _("Personnummer saknas.")})
        normalised, kind = parse_identity_number(self.identity_number)
        self.identity_number = normalised
        self.identity_kind = kind


class Pupil(Person):
    birth_date = models.DateField(_("födelsedatum"))
    gender = models.CharField(_("kön"), max_length=10, choices=Gender.choices)
    protected_identity = models.CharField(
        _("skyddad identitet"),
        max_length=30,
        choices=ProtectedIdentity.choices,
        default=ProtectedIdentity.NONE,
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pupil",
    )

    # Set only on pupils loaded with a Prefetch(to_attr=...) of this academic year's rows
    # (access.lookup.pupil_queryset_with_facts, front.selectors); otherwise AttributeError.
    current_placements: list["Placement"]
    current_memberships: list["GroupMembership"]

    class Meta:
        verbose_name = _("elev")
        verbose_name_plural = _("elever")
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["last_name", "first_name"]),
            models.Index(fields=["identity_number"]),
        ]

    @property
    def is_protected(self) -> bool:
        return self.protected_identity != ProtectedIdentity.NONE


class Placement(BaseModel):
    """The pupil's placement at a school unit, school form and grade for a period."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="placements")
    school_unit = models.ForeignKey(SchoolUnit, on_delete=models.PROTECT, related_name="placements")
    school_form = models.CharField(_("skolform"), max_length=30, choices=school_form_choices())
    grade = models.PositiveSmallIntegerField(_("årskurs"), null=True, blank=True)
    starts_on = models.DateField(_("från"))
    ends_on = models.DateField(_("till"), null=True, blank=True)

    class Meta:
        verbose_name = _("placering")
        verbose_name_plural = _("placeringar")
        ordering = ["-starts_on"]
        indexes = [
            models.Index(fields=["school_unit", "ends_on"]),
            models.Index(fields=["pupil", "ends_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="placement_period_ordered",
            )
        ]


class GroupMembership(BaseModel):
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="memberships")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        verbose_name = _("gruppmedlemskap")
        verbose_name_plural = _("gruppmedlemskap")
        constraints = [models.UniqueConstraint(fields=["pupil", "group"], name="membership_unique")]


class Guardian(Person):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="guardian",
    )

    class Meta:
        verbose_name = _("vårdnadshavare")
        verbose_name_plural = _("vårdnadshavare")
        ordering = ["last_name", "first_name"]


class Guardianship(BaseModel):
    """A guardian's relation to a pupil. Only custody gives access (OSL 12 kap. 3 §)."""

    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE, related_name="guardianships")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="guardianships")
    has_custody = models.BooleanField(_("vårdnad"), default=True)

    class Meta:
        verbose_name = _("vårdnadsförhållande")
        verbose_name_plural = _("vårdnadsförhållanden")
        constraints = [
            models.UniqueConstraint(fields=["guardian", "pupil"], name="guardianship_unique")
        ]


class ProtectedPupilAssignment(BaseModel):
    """Staff explicitly assigned to a pupil with protected identity (security.md P6).

    Only these staff see the pupil at all; unit-wide duties do not reach protected pupils.
    """

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="protected_assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="protected_assignments"
    )
    reason = models.CharField(_("skäl"), max_length=200)
    # Who made the assignment; empty for rows from the demo generator or an import.
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("tilldelning för skyddad elev")
        verbose_name_plural = _("tilldelningar för skyddade elever")
        constraints = [
            models.UniqueConstraint(fields=["pupil", "user"], name="protected_assignment_unique")
        ]


class EndedProtectedPupilAssignment(BaseModel):
    """An assignment that has ended: who was assigned, by whom and why, and who ended it, when
    and why (decision 0019). Kept apart from `ProtectedPupilAssignment`, so that a row there
    always grants access and an ended one never can, whatever query reads the table."""

    pupil = models.ForeignKey(
        Pupil, on_delete=models.CASCADE, related_name="ended_protected_assignments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.CharField(_("skäl"), max_length=200)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assigned_at = models.DateTimeField(_("tilldelad"))
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    end_reason = models.CharField(_("skäl att avsluta"), max_length=200)

    class Meta:
        verbose_name = _("avslutad tilldelning för skyddad elev")
        verbose_name_plural = _("avslutade tilldelningar för skyddade elever")
        ordering = ["-created_at"]
