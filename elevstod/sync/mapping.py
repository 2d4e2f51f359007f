"""SS 12000 code lists and entities → Elevstöd's values (decision 0021). Plain functions.

A value we do not map is not an error: an organisation that is neither huvudman nor school unit,
a school type Elevstöd does not serve, a duty role without a counterpart here — they are skipped.
A row we cannot take without guessing (an invalid personnummer, a pupil with no birth date) is
refused with a reason code from ``REFUSAL_REASONS``; the code, never the value, reaches the summary.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from elevstod.organisation.duties import UnitDutyKind
from elevstod.organisation.models import GroupKind, ProviderKind
from elevstod.organisation.school_forms import SchoolForm
from elevstod.people.identity import IdentityKind, parse_identity_number
from elevstod.people.models import Gender, ProtectedIdentity
from elevstod.ss12000 import schemas

# SchoolTypesEnum → the school forms Elevstöd serves. Fritidshem, förskola, vuxenutbildning …
# are not school forms of the support chain (SL 3 kap.): skipped.
SCHOOL_FORMS = {
    "FKLASS": SchoolForm.PRESCHOOL_CLASS,
    "GR": SchoolForm.COMPULSORY,
    "GRS": SchoolForm.ADAPTED_COMPULSORY,
    "SP": SchoolForm.SPECIAL,
    "SAM": SchoolForm.SAMI,
    "GY": SchoolForm.UPPER_SECONDARY,
    "GYS": SchoolForm.ADAPTED_UPPER_SECONDARY,
}

# DutyRole → the duty here. "Speciallärare/specialpedagog" is one code in SS 12000; both give the
# same unit-wide support role in Elevstöd (organisation.duties.UNIT_WIDE_SUPPORT_DUTIES).
# SS 12000 has no biträdande rektor: a municipality that marks them with a role of its own
# (often "Övrig arbetsledning") names it in ELEVSTOD_SS12000_DEPUTY_PRINCIPAL_ROLE; by default no
# role grants a deputy's leadership rights (deny by default).
DUTY_ROLES = {
    "Rektor": UnitDutyKind.PRINCIPAL,
    "Lärare": UnitDutyKind.TEACHER,
    "Förstelärare": UnitDutyKind.TEACHER,
    "Speciallärare/specialpedagog": UnitDutyKind.SPECIAL_EDUCATOR,
    "Kurator": UnitDutyKind.SCHOOL_COUNSELLOR,
    "Skolpsykolog": UnitDutyKind.SCHOOL_PSYCHOLOGIST,
    "Skolsköterska": UnitDutyKind.SCHOOL_NURSE,
    "Skolläkare": UnitDutyKind.SCHOOL_DOCTOR,
    "Studie- och yrkesvägledare": UnitDutyKind.CAREER_COUNSELLOR,
}

GROUP_KINDS = {
    schemas.GROUP_CLASS: GroupKind.CLASS,
    schemas.GROUP_MENTOR: GroupKind.MENTOR_GROUP,
    schemas.GROUP_TEACHING: GroupKind.TEACHING_GROUP,
}

ASSIGNMENT_MENTOR = "Mentor"

GENDERS = {"Kvinna": Gender.FEMALE, "Man": Gender.MALE, "Okänt": Gender.UNKNOWN}

# Code_SecurityMarking → protected identity. A missing or unknown marking is protected (issue 11):
# whoever may see the pupil is then the rektor's explicit choice until the provider says "Ingen".
MARKINGS = {
    schemas.SECURITY_MARKING_NONE: ProtectedIdentity.NONE,
    schemas.SECURITY_MARKING_CONFIDENTIAL: ProtectedIdentity.CONFIDENTIALITY_MARKING,
    schemas.SECURITY_MARKING_PROTECTED_REGISTRATION: ProtectedIdentity.PROTECTED_REGISTRATION,
}

# Why a row was refused: the administrator's summary shows these, never the row.
REFUSAL_REASONS = {
    "malformed": _("Raden saknar uppgifter som standarden kräver"),
    "invalid_civic_no": _("Ogiltigt personnummer eller samordningsnummer"),
    "no_birth_date": _("Elev utan födelsedatum och utan giltigt personnummer"),
    "unknown_organisation": _("Hänvisar till en organisation som leverantören inte har lämnat"),
    "unknown_person": _("Hänvisar till en person som leverantören inte har lämnat"),
    "unknown_group": _("Hänvisar till en grupp som leverantören inte har lämnat"),
    "unknown_duty": _("Hänvisar till en tjänstgöring som leverantören inte har lämnat"),
    "responsible_without_person": _("Vårdnadshavare utan person"),
    "unit_code_taken": _("Skolenhetskoden används redan av en annan skolenhet"),
    "organisation_number_taken": _("Organisationsnumret används redan av en annan huvudman"),
    "organisation_number_missing": _("Huvudman utan organisationsnummer"),
    "identity_taken": _("Samma inloggningsidentitet anges för två personer"),
    "page_failed": _("En sida kunde inte hämtas från leverantören"),
}


def refusal_label(code: str) -> str:
    return str(REFUSAL_REASONS.get(code, code))


def digest(*values: object) -> str:
    """A short fingerprint of mapped values, to tell an update from a repeat."""
    return hashlib.blake2b(repr(values).encode(), digest_size=16).hexdigest()


def duty_roles() -> dict[str, UnitDutyKind]:
    deputy = getattr(settings, "ELEVSTOD_SS12000_DEPUTY_PRINCIPAL_ROLE", "")
    return DUTY_ROLES | ({deputy: UnitDutyKind.DEPUTY_PRINCIPAL} if deputy else {})


def provider_kind(organisation_number: str) -> ProviderKind:
    """Municipalities' organisation numbers begin 212 (kommuner) or 232 (regioner); the state's
    202; the rest are independent organisers (enskilda huvudmän)."""
    digits = organisation_number.replace("-", "")
    if digits.startswith(("212", "232")):
        return ProviderKind.MUNICIPAL
    if digits.startswith("202"):
        return ProviderKind.STATE
    return ProviderKind.INDEPENDENT


def school_forms(codes: Iterable[str]) -> list[str]:
    forms = [SCHOOL_FORMS[code].value for code in codes if code in SCHOOL_FORMS]
    return sorted(set(forms), key=forms.index)


@dataclass(frozen=True)
class Identity:
    number: str
    kind: str


def identity(person: schemas.Person) -> Identity | None:
    """The person's personnummer or samordningsnummer, or a reserve identity when none is given.

    Raises ValueError for a number that is given but invalid (the row is refused)."""
    if person.civic_no is None or not person.civic_no.value.strip():
        return Identity("", IdentityKind.RESERVE.value)
    number, kind = parse_identity_number(person.civic_no.value)
    return Identity(number, kind.value)


def birth_date(person: schemas.Person, number: str) -> dt.date | None:
    if person.birth_date is not None:
        return person.birth_date
    if not number:
        return None
    day = int(number[6:8])
    day = day - 60 if day > 60 else day  # a samordningsnummer's day is raised by 60
    try:
        return dt.date(int(number[:4]), int(number[4:6]), day)
    except ValueError:
        return None


def marking(person: schemas.Person) -> str:
    if person.security_marking is None:
        return ProtectedIdentity.MARKING_MISSING.value
    return MARKINGS.get(person.security_marking, ProtectedIdentity.MARKING_MISSING).value


def gender(person: schemas.Person) -> str:
    return GENDERS.get(person.sex or "", Gender.UNKNOWN).value


def principal_names(person: schemas.Person) -> list[str]:
    names = (name.strip().lower() for name in person.edu_person_principal_names)
    return sorted({name for name in names if name})


def email(person: schemas.Person) -> str:
    for address in person.emails:
        if "@" in address.value and len(address.value) <= 254:
            return address.value.strip()
    return ""


def is_pupil(person: schemas.Person) -> bool:
    """Enrolled in a school form of the chain, now or earlier: a former pupil keeps their record."""
    return any(
        not enrolment.cancelled and enrolment.school_type in SCHOOL_FORMS
        for enrolment in person.enrolments
    )


def guardian_ids(person: schemas.Person) -> list[tuple[str, bool]]:
    """The responsibles' person ids and whether each has custody (vårdnad, OSL 12 kap. 3 §)."""
    return [
        (str(responsible.person.id), responsible.relation_type == schemas.RELATION_GUARDIAN)
        for responsible in person.responsibles
    ]


def academic_year_name(day: dt.date) -> str:
    first = day.year if day.month >= 7 else day.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


def school_year(value: int | None) -> int | None:
    """A grade as the models keep it (0 and up); some systems give förskoleklass -1."""
    return value if value is not None and 0 <= value <= 32767 else None


def most_common(values: Iterable[int | None]) -> int | None:
    counted = Counter(value for value in values if value is not None)
    return counted.most_common(1)[0][0] if counted else None


# The summary's rows and columns, as the administrator reads them.
ENTITY_LABELS = {
    "organisation": _("Organisationer (rader)"),
    "provider": _("Huvudmän"),
    "unit": _("Skolenheter"),
    "person": _("Personer (rader)"),
    "user": _("Konton"),
    "pupil": _("Elever"),
    "guardian": _("Vårdnadshavare"),
    "guardianship": _("Vårdnad"),
    "placement": _("Placeringar"),
    "duty": _("Tjänstgöringar"),
    "group": _("Grupper"),
    "membership": _("Gruppmedlemskap"),
    "activity": _("Aktiviteter (rader)"),
    "group_staff": _("Lärare och mentorer i grupper"),
    "identity": _("Inloggningsidentiteter"),
    "deleted": _("Borttagna (rader)"),
}

OUTCOME_LABELS = {
    "created": _("Nya"),
    "updated": _("Ändrade"),
    "ended": _("Avslutade"),
    "refused": _("Avvisade"),
    "unchanged": _("Oförändrade"),
}
