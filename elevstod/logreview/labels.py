"""What the log review and the log extract call an acting role and a record type.

The access log stores codes (`AccessEvent.acting_role`, `AccessEvent.record_type`) so that the
log stays stable when the wording changes; the pages a rektor or a family reads show words. Every
code the apps write has a label here. A code written later without one is shown as "Annan roll"
or "Annan uppgift" with the code after it: the reader sees that something is unnamed, and whoever
they ask can still find the row, rather than a bare code that looks like a word.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from elevstod.access.policy import Relation, SupportRecord

# The acting role (security.md P1): mostly the strongest relation to the pupil
# (access.policy.acting_role); a few writers name a duty instead.
ACTING_ROLE_LABELS: dict[str, str | Promise] = {
    Relation.SELF: _("Eleven själv"),
    # Context: the catalogue's plain "Vårdnadshavare" is a plural heading.
    Relation.GUARDIAN: pgettext_lazy("roll i loggen", "Vårdnadshavare"),
    # The relation covers the deputy acting for the rektor too (SL 2 kap. 9 §).
    Relation.PRINCIPAL: _("Rektor eller biträdande rektor"),
    Relation.SPECIAL_EDUCATION: _("Specialpedagog eller speciallärare"),
    Relation.PUPIL_HEALTH_TEAM: _("Elevhälsan"),
    Relation.MENTOR: _("Mentor"),
    Relation.TEACHER: _("Lärare"),
    Relation.PROTECTED_ASSIGNMENT: _("Tilldelad personal (skyddad identitet)"),
    # support.services.deadlines: the huvudman's administrator changing the deadlines.
    "provider_administrator": _("Administratör hos huvudmannen"),
}

_SUPPORT_RECORD_LABELS: dict[str, str | Promise] = {
    SupportRecord.CONCERN: _("Oro"),
    SupportRecord.ADAPTATION: _("Extra anpassning"),
    SupportRecord.REFERRAL: _("Anmälan till rektor"),
    SupportRecord.INVESTIGATION: _("Pedagogisk utredning"),
    SupportRecord.DECISION: _("Beslut"),
    SupportRecord.PROGRAMME: _("Åtgärdsprogram"),
    SupportRecord.FOLLOW_UP: _("Uppföljning"),
    SupportRecord.APPEAL: _("Överklagande"),
}

# The record types the apps write (record_type=... in record_access and get_pupil_for).
RECORD_TYPE_LABELS: dict[str, str | Promise] = {
    **_SUPPORT_RECORD_LABELS,
    "communication": _("Kommunicering"),
    "pupil": _("Elevens uppgifter"),
    "pupil_list": _("Elevlista"),
    "start_page_pupils": _("Elevlista på startsidan"),
    "support_page": _("Elevens stöd"),
    "due_tasks": _("Mina uppgifter"),
    "my_adaptations": _("Mina anpassningar"),
    "protected_assignment": _("Tilldelad personal – skyddad identitet"),
    "access_log": _("Loggkontroll"),
    "access_log_extract": _("Logguttag"),
    "delegation": _("Delegering"),
    "api_token": _("API-nyckel"),
    "provider_deadlines": _("Huvudmannens tidsfrister"),
    "quality_dashboard": _("Kvalitet"),
    "quality_summary": _("Kvalitetssammanställning"),
    "quality_report": _("Kvalitetsrapport"),
    "quality_analysis": _("Kvalitetsanalys"),
    "improvement_action": _("Förbättringsåtgärd"),
    "deviation_report": _("Avvikelserapport"),
    "deviation_export": _("Export av avvikelser"),
    "deviation_pupil_choice": _("Elevval i avvikelserapport"),
    "special_education_intervention": _("Specialpedagogisk insats"),
    "special_education_interventions": _("Specialpedagogiska insatser"),
    "special_education_pupil_choices": _("Elevval för specialpedagogisk insats"),
}

# The API's lists are logged as "<record type>_list" (api.support._listed).
_LIST_SUFFIX = "_list"


def role_label(code: str) -> str:
    """The acting role in words; empty when the row names none (a list, a unit's page)."""
    if not code:
        return ""
    label = ACTING_ROLE_LABELS.get(code)
    if label is not None:
        return str(label)
    return gettext("Annan roll (%(code)s)") % {"code": code}


def record_type_label(code: str) -> str:
    """The record type in words; a list of a known type as "<type> (lista)"."""
    if not code:
        return ""
    label = RECORD_TYPE_LABELS.get(code)
    if label is not None:
        return str(label)
    if code.endswith(_LIST_SUFFIX):
        listed = RECORD_TYPE_LABELS.get(code.removesuffix(_LIST_SUFFIX))
        if listed is not None:
            return gettext("%(record_type)s (lista)") % {"record_type": listed}
    return gettext("Annan uppgift (%(code)s)") % {"code": code}
