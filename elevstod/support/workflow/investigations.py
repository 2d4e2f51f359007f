"""The investigation (utredning): who investigates, by when, and what the assessment concluded
(SL 3 kap. 7 §; process.md §2.3, §2.5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from elevstod.support.workflow.refusals import Outcome, Refused, gettext_noop, refused_where

SL_3_7 = "3 kap. 7 § skollagen"


@dataclass(frozen=True)
class AssessmentFacts:
    """What the investigation concluded (process.md §2.3)."""

    mapping_done: bool
    pupil_view_recorded: bool
    guardian_view_recorded: bool
    eht_consulted: bool
    eht_skip_reason: str
    special_support_needed: bool | None  # None: not yet assessed
    needs_found: int
    already_assessed: bool = False


NO_INVESTIGATOR = Refused(
    "investigation.no_investigator", gettext_noop("Utse minst en person som ska utreda."), SL_3_7
)


def may_open_investigation(investigators: int) -> Outcome:
    return refused_where((investigators == 0, NO_INVESTIGATOR))


TARGET_IN_PAST = Refused(
    "investigation.target_in_past",
    gettext_noop("Datumet då utredningen ska vara klar kan inte ha passerat."),
    SL_3_7,
)


def may_set_investigation_target(target_on: date, today: date) -> Outcome:
    return refused_where((target_on < today, TARGET_IN_PAST))


# The assessment is what the decision rests on; a second one would draft a second programme for
# the same case. A changed picture is a new investigation.
ALREADY_ASSESSED = Refused(
    "investigation.already_assessed",
    gettext_noop(
        "Bedömningen är redan gjord. Om elevens behov har förändrats görs en ny utredning."
    ),
    SL_3_7,
)
MAPPING_MISSING = Refused(
    "investigation.mapping_missing",
    gettext_noop("Kartläggningen måste vara ifylld innan bedömningen görs."),
    SL_3_7,
)
EHT_NOT_CONSULTED = Refused(
    "investigation.eht_not_consulted",
    gettext_noop(
        "Samråd med elevhälsan ska ske om det inte är uppenbart obehövligt. Ange "
        "samrådet eller skälet till att det är obehövligt."
    ),
    "3 kap. 7 § andra stycket skollagen",
)
CONCLUSION_MISSING = Refused(
    "investigation.conclusion_missing",
    gettext_noop("Ange om eleven är i behov av särskilt stöd."),
    SL_3_7,
)
NEEDS_MISSING = Refused(
    "investigation.needs_missing",
    gettext_noop("Beskriv de behov av särskilt stöd som utredningen har funnit."),
    "3 kap. 9 § skollagen",
)


def may_conclude_assessment(facts: AssessmentFacts) -> Outcome:
    """Mapped, the pupil health team consulted (or why not), and a conclusion with its needs."""
    return refused_where(
        (facts.already_assessed, ALREADY_ASSESSED),
        (not facts.mapping_done, MAPPING_MISSING),
        (not facts.eht_consulted and not facts.eht_skip_reason.strip(), EHT_NOT_CONSULTED),
        (facts.special_support_needed is None, CONCLUSION_MISSING),
        (bool(facts.special_support_needed) and facts.needs_found == 0, NEEDS_MISSING),
    )


INVESTIGATION_CLOSED = Refused(
    "investigation.closed",
    gettext_noop("Utredningen är avslutad genom ett beslut och ändras inte."),
    "3 kap. 9 § skollagen",
)


def may_edit_investigation(closed: bool) -> Outcome:
    return refused_where((closed, INVESTIGATION_CLOSED))


ASSESSMENT_LOCKED = Refused(
    "investigation.assessment_locked",
    gettext_noop(
        "Bedömningen är slutförd: slutsatsen om behov av särskilt stöd och de behov som "
        "har funnits kan inte ändras. Om elevens behov har förändrats görs en ny "
        "utredning. Övrig text går att rätta."
    ),
    SL_3_7,
)


def may_change_assessment(already_assessed: bool, conclusion_changed: bool) -> Outcome:
    """The conclusion (special support needed or not, and the needs found) is what the decision
    rests on. Once concluded it stands; the other text may still be corrected. A changed picture
    is a new investigation (SL 3 kap. 7 §; process.md §2.3, §2.5)."""
    return refused_where((already_assessed and conclusion_changed, ASSESSMENT_LOCKED))


class WithheldGround(StrEnum):
    """Why staff-only working notes are not shown to the family (decision 0014)."""

    # Not added to the case: the decision does not rest on it (FL 10 § covers what was added).
    NOT_PART_OF_CASE = "not_part_of_case"
    # The pupil can be assumed to suffer considerable harm if a guardian learns it
    # (OSL 12 kap. 3 § första stycket 1).
    HARM_TO_PUPIL = "harm_to_pupil"
    # It concerns someone else's personal circumstances (OSL 23 kap. 2 §, 10 kap. 3 §).
    OTHERS_CIRCUMSTANCES = "others_circumstances"


OSL_10_3 = "10 § förvaltningslagen, 10 kap. 3 § offentlighets- och sekretesslagen"

WITHHELD_WITHOUT_REASON = Refused(
    "investigation.withheld_without_reason",
    gettext_noop(
        "Arbetsanteckningar som inte visas för eleven och vårdnadshavarna ska ha en "
        "registrerad grund och ett skäl. Ange båda, eller flytta texten till utredningen."
    ),
    OSL_10_3,
)


def may_withhold_notes(notes: str, ground: str, reason: str) -> Outcome:
    """Working notes are kept from the family only with a recorded ground and reason."""
    return refused_where(
        (bool(notes.strip()) and not (ground and reason.strip()), WITHHELD_WITHOUT_REASON)
    )


def family_may_read(assessed_on: date | None, closed_on: date | None) -> bool:
    """The family reads the investigation once it is concluded, and at the latest when a
    decision rests on it (FL 10 §; decision 0014); never while it is being written."""
    return assessed_on is not None or closed_on is not None
