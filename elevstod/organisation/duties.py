"""Staff duties and the decision types of the delegation register."""

from enum import StrEnum

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise


class UnitDutyKind(StrEnum):
    PRINCIPAL = "principal"  # rektor
    DEPUTY_PRINCIPAL = "deputy_principal"  # biträdande rektor
    TEACHER = "teacher"
    MENTOR = "mentor"
    SPECIAL_EDUCATOR = "special_educator"  # specialpedagog
    SPECIAL_TEACHER = "special_teacher"  # speciallärare
    SCHOOL_COUNSELLOR = "school_counsellor"  # skolkurator
    SCHOOL_PSYCHOLOGIST = "school_psychologist"
    SCHOOL_NURSE = "school_nurse"
    SCHOOL_DOCTOR = "school_doctor"
    CAREER_COUNSELLOR = "career_counsellor"  # studie- och yrkesvägledare


UNIT_DUTY_LABELS: dict[UnitDutyKind, StrOrPromise] = {
    UnitDutyKind.PRINCIPAL: _("Rektor"),
    UnitDutyKind.DEPUTY_PRINCIPAL: _("Biträdande rektor"),
    UnitDutyKind.TEACHER: _("Lärare"),
    UnitDutyKind.MENTOR: _("Mentor"),
    UnitDutyKind.SPECIAL_EDUCATOR: _("Specialpedagog"),
    UnitDutyKind.SPECIAL_TEACHER: _("Speciallärare"),
    UnitDutyKind.SCHOOL_COUNSELLOR: _("Skolkurator"),
    UnitDutyKind.SCHOOL_PSYCHOLOGIST: _("Skolpsykolog"),
    UnitDutyKind.SCHOOL_NURSE: _("Skolsköterska"),
    UnitDutyKind.SCHOOL_DOCTOR: _("Skolläkare"),
    UnitDutyKind.CAREER_COUNSELLOR: _("Studie- och yrkesvägledare"),
}

# Duties that lead the unit: the rektor, and a biträdande rektor acting for them (SL 2:9).
LEADERSHIP_DUTIES = frozenset({UnitDutyKind.PRINCIPAL, UnitDutyKind.DEPUTY_PRINCIPAL})

# Duties whose holders work with every pupil's support at the unit.
UNIT_WIDE_SUPPORT_DUTIES = frozenset({UnitDutyKind.SPECIAL_EDUCATOR, UnitDutyKind.SPECIAL_TEACHER})


class ProviderDutyKind(StrEnum):
    ADMINISTRATOR = "administrator"
    QUALITY_ANALYST = "quality_analyst"


PROVIDER_DUTY_LABELS: dict[ProviderDutyKind, StrOrPromise] = {
    ProviderDutyKind.ADMINISTRATOR: _("Administratör hos huvudmannen"),
    ProviderDutyKind.QUALITY_ANALYST: _("Kvalitet och analys hos huvudmannen"),
}


class DecisionType(StrEnum):
    ACTION_PROGRAMME = "action_programme"
    NO_ACTION_PROGRAMME = "no_action_programme"
    ACTION_PROGRAMME_CLOSURE = "action_programme_closure"
    SPECIAL_TEACHING_GROUP = "special_teaching_group"
    INDIVIDUAL_TEACHING = "individual_teaching"
    DISTANCE_TEACHING = "distance_teaching"
    ADAPTED_STUDY_PATH = "adapted_study_path"
    LEAVE_OVER_TEN_DAYS = "leave_over_ten_days"
    EXEMPTION = "exemption"
    LEAVE_UP_TO_TEN_DAYS = "leave_up_to_ten_days"


DECISION_TYPE_LABELS: dict[DecisionType, StrOrPromise] = {
    DecisionType.ACTION_PROGRAMME: _("Beslut om åtgärdsprogram (3 kap. 9 §)"),
    DecisionType.NO_ACTION_PROGRAMME: _("Beslut att inte utarbeta åtgärdsprogram (3 kap. 9 §)"),
    DecisionType.ACTION_PROGRAMME_CLOSURE: _("Beslut att avsluta åtgärdsprogram"),
    DecisionType.SPECIAL_TEACHING_GROUP: _("Särskild undervisningsgrupp (3 kap. 11 §)"),
    DecisionType.INDIVIDUAL_TEACHING: _("Enskild undervisning (3 kap. 11 §)"),
    DecisionType.DISTANCE_TEACHING: _("Distansundervisning (3 kap. 11 a §)"),
    DecisionType.ADAPTED_STUDY_PATH: _("Anpassad studiegång (3 kap. 12 §)"),
    DecisionType.LEAVE_OVER_TEN_DAYS: _("Ledighet längre än tio dagar (7 kap. 18 §)"),
    DecisionType.EXEMPTION: _("Befrielse från obligatoriska inslag (7 kap. 19 §)"),
    DecisionType.LEAVE_UP_TO_TEN_DAYS: _("Ledighet upp till tio dagar (7 kap. 18 §)"),
}

# Decisions the rektor may not hand to anyone else.
#   SL 3 kap. 9 § andra stycket: support under 11 §, 11 a § and 12 §.
#   SL 7 kap. 18 §: leave longer than ten days.  SL 7 kap. 19 §: exemption.
NON_DELEGABLE: dict[DecisionType, StrOrPromise] = {
    DecisionType.SPECIAL_TEACHING_GROUP: _("3 kap. 9 § andra stycket 1 skollagen"),
    DecisionType.INDIVIDUAL_TEACHING: _("3 kap. 9 § andra stycket 1 skollagen"),
    DecisionType.DISTANCE_TEACHING: _("3 kap. 9 § andra stycket 2 skollagen"),
    DecisionType.ADAPTED_STUDY_PATH: _("3 kap. 9 § andra stycket 3 skollagen"),
    DecisionType.LEAVE_OVER_TEN_DAYS: _("7 kap. 18 § skollagen"),
    DecisionType.EXEMPTION: _("7 kap. 19 § skollagen"),
}


def non_delegable_reason(decision_type: DecisionType | str) -> str | None:
    """The Swedish refusal for delegating a reserved decision, or None if it may be delegated."""
    paragraph = NON_DELEGABLE.get(DecisionType(decision_type))
    if paragraph is None:
        return None
    label = str(DECISION_TYPE_LABELS[DecisionType(decision_type)])
    return gettext(
        "Rektorn får inte uppdra åt någon annan att fatta detta beslut (%(label)s). "
        "Beslutet är förbehållet rektorn enligt %(paragraph)s."
    ) % {"label": label, "paragraph": paragraph}
