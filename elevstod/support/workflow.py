"""The support chain's rules, as plain Python (Skollagen 3 kap.; shared/domain/process.md §1–3).

States, transitions, guards and deadlines live here and nowhere else. Services are the only
callers: they load the facts, ask `decide_*`, and save. Nothing here touches the database, the
clock or Django, so the rules are tested as tables (tests/test_workflow.py).

Every refusal names its rule (a stable code for the API), cites its paragraph and carries a
Swedish message. Messages are marked with `gettext_noop` so that makemessages collects them;
the caller translates them at display time.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum


def gettext_noop(message: str) -> str:
    """Marks a message for translation without importing Django (see module docstring)."""
    return message


# --------------------------------------------------------------------------- outcomes


@dataclass(frozen=True)
class Allowed:
    ok: bool = True


@dataclass(frozen=True)
class Refused:
    """Why an action was refused: a stable rule code, the Swedish message and its source."""

    rule: str
    message: str
    paragraph: str = ""
    params: tuple[tuple[str, str], ...] = ()
    ok: bool = False

    def text(self, translate=lambda s: s) -> str:  # type: ignore[no-untyped-def]
        message = (
            translate(self.message) % dict(self.params) if self.params else translate(self.message)
        )
        return f"{message} ({self.paragraph})" if self.paragraph else message


Outcome = Allowed | Refused
ALLOWED = Allowed()


class RefusalError(Exception):
    """Raised by services when the workflow refuses; views and the API show `refusal`."""

    def __init__(self, refusal: Refused) -> None:
        super().__init__(refusal.rule)
        self.refusal = refusal


def first_refusal(*outcomes: Outcome) -> Outcome:
    for outcome in outcomes:
        if isinstance(outcome, Refused):
            return outcome
    return ALLOWED


# --------------------------------------------------------------------------- vocabulary


class SupportLevel(StrEnum):
    """The three levels of support (SL 3 kap. 2 §, 5 §, 7–9 §§)."""

    GUIDANCE_AND_STIMULATION = "guidance_and_stimulation"
    EXTRA_ADAPTATIONS = "extra_adaptations"
    SPECIAL_SUPPORT = "special_support"


class ConcernSource(StrEnum):
    """Where a concern came from (SL 3 kap. 5 § first paragraph lists them)."""

    TEACHING = "teaching"
    NATIONAL_ASSESSMENT = "national_assessment"
    HANDOVER = "handover"
    ABSENCE = "absence"
    PUPIL_OR_GUARDIAN = "pupil_or_guardian"
    OTHER = "other"


class ConcernState(StrEnum):
    OPEN = "open"
    ADAPTATIONS = "adaptations"  # answered with extra adaptations
    REFERRED = "referred"  # reported to the principal
    CLOSED = "closed"  # no further action, with a reason


class NeedCategory(StrEnum):
    """Needs in terms of the school situation. Never a diagnosis (SL 26 a kap. 4 §)."""

    READING_WRITING = "reading_writing"
    MATHEMATICS = "mathematics"
    LANGUAGE = "language"
    CONCENTRATION = "concentration"
    STRUCTURE_AND_PLANNING = "structure_and_planning"
    SOCIAL_INTERACTION = "social_interaction"
    WELLBEING = "wellbeing"
    ATTENDANCE = "attendance"
    SENSORY_ENVIRONMENT = "sensory_environment"
    MOTOR_SKILLS = "motor_skills"
    STIMULATION = "stimulation"  # a pupil who easily reaches the criteria (SL 3 kap. 2 §)
    OTHER = "other"


class AdaptationState(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class AdaptationEffect(StrEnum):
    SUFFICIENT = "sufficient"
    PARTLY = "partly"
    NOT_SUFFICIENT = "not_sufficient"


class AdaptationNextStep(StrEnum):
    CONTINUE = "continue"
    CHANGE = "change"
    END = "end"
    REFER = "refer"  # report to the principal (SL 3 kap. 7 §)


class ReferralGround(StrEnum):
    """The grounds for a report to the principal (SL 3 kap. 7 § first paragraph; 7 kap. 19 a §)."""

    DESPITE_ADAPTATIONS = "despite_adaptations"
    SPECIAL_REASONS = "special_reasons_adaptations_insufficient"
    OTHER_DIFFICULTIES = "other_difficulties"
    ABSENCE_INVESTIGATION = "absence_investigation"


class CaseState(StrEnum):
    """One support case: from the report to the principal to a closed programme."""

    REPORTED = "reported"  # S3: anmälan lodged, awaiting the principal's receipt
    RECEIVED = "received"  # receipt recorded: the "skyndsamt" clock runs (SL 3 kap. 7 §)
    INVESTIGATING = "investigating"  # S4
    NO_PROGRAMME = "no_programme"  # S5a: decided not to draw up a programme
    PROGRAMME_ACTIVE = "programme_active"  # S5b/S6: a decided programme in force
    CLOSED = "closed"  # S8: closing decision


class CaseAction(StrEnum):
    RECEIVE = "receive"
    OPEN_INVESTIGATION = "open_investigation"
    CLOSE_INVESTIGATION = "close_investigation"
    DECIDE_NO_PROGRAMME = "decide_no_programme"
    DECIDE_PROGRAMME = "decide_programme"
    EVALUATE_CONTINUE = "evaluate_continue"
    DECIDE_REVISION = "decide_revision"
    DECIDE_CLOSURE = "decide_closure"
    # The board set aside or returned a no-programme decision (SL 28 kap. 16 § andra stycket).
    REOPEN_AFTER_APPEAL = "reopen_after_appeal"


CASE_TRANSITIONS: dict[tuple[CaseState, CaseAction], CaseState] = {
    (CaseState.REPORTED, CaseAction.RECEIVE): CaseState.RECEIVED,
    (CaseState.RECEIVED, CaseAction.OPEN_INVESTIGATION): CaseState.INVESTIGATING,
    (CaseState.INVESTIGATING, CaseAction.DECIDE_NO_PROGRAMME): CaseState.NO_PROGRAMME,
    (CaseState.INVESTIGATING, CaseAction.DECIDE_PROGRAMME): CaseState.PROGRAMME_ACTIVE,
    (CaseState.PROGRAMME_ACTIVE, CaseAction.EVALUATE_CONTINUE): CaseState.PROGRAMME_ACTIVE,
    (CaseState.PROGRAMME_ACTIVE, CaseAction.DECIDE_REVISION): CaseState.PROGRAMME_ACTIVE,
    (CaseState.PROGRAMME_ACTIVE, CaseAction.DECIDE_CLOSURE): CaseState.CLOSED,
    # Back to awaiting a new decision: the investigation is open again for the new assessment.
    (CaseState.NO_PROGRAMME, CaseAction.REOPEN_AFTER_APPEAL): CaseState.INVESTIGATING,
}
# Closing an investigation is not a transition of its own: it happens only through one of the two
# decisions (process.md §2.5). The action exists so that the refusal can be asked for and shown.

OPEN_CASE_STATES = frozenset(
    {
        CaseState.REPORTED,
        CaseState.RECEIVED,
        CaseState.INVESTIGATING,
        CaseState.PROGRAMME_ACTIVE,
    }
)


class DecisionKind(StrEnum):
    """Decisions in the chain. Values match organisation.duties.DecisionType."""

    ACTION_PROGRAMME = "action_programme"
    NO_ACTION_PROGRAMME = "no_action_programme"
    ACTION_PROGRAMME_CLOSURE = "action_programme_closure"


class MeasureSetting(StrEnum):
    """Where a measure is given (SL 3 kap. 8 §, 11 §, 11 a §, 12 §)."""

    OWN_GROUP = "own_group"
    SPECIAL_TEACHING_GROUP = "special_teaching_group"
    INDIVIDUAL_TEACHING = "individual_teaching"
    DISTANCE_TEACHING = "distance_teaching"
    ADAPTED_STUDY_PATH = "adapted_study_path"


# A measure given in one of these settings is itself a decision the principal may not delegate
# (SL 3 kap. 9 § second paragraph). Values match organisation.duties.DecisionType.
RESERVED_SETTINGS: dict[MeasureSetting, str] = {
    MeasureSetting.SPECIAL_TEACHING_GROUP: "3 kap. 9 § andra stycket 1 skollagen",
    MeasureSetting.INDIVIDUAL_TEACHING: "3 kap. 9 § andra stycket 1 skollagen",
    MeasureSetting.DISTANCE_TEACHING: "3 kap. 9 § andra stycket 2 skollagen",
    MeasureSetting.ADAPTED_STUDY_PATH: "3 kap. 9 § andra stycket 3 skollagen",
}


class ProgrammeState(StrEnum):
    DRAFT = "draft"
    IN_FORCE = "in_force"
    SUPERSEDED = "superseded"  # replaced by a revision (a new decision)
    CLOSED = "closed"
    # A revision draft never decided: it lapsed when the programme it would have replaced was
    # closed. Kept, not deleted (process.md rule 5); like a draft, never shown to the family.
    LAPSED = "lapsed"


# Programme versions that were never decided: working material, not shown to the family.
UNDECIDED_PROGRAMME_STATES = frozenset({ProgrammeState.DRAFT, ProgrammeState.LAPSED})


class FollowUpKind(StrEnum):
    FOLLOW_UP = "follow_up"  # uppföljning: are the measures carried out?
    EVALUATION = "evaluation"  # utvärdering: what effect did they have?


class CarriedOut(StrEnum):
    YES = "yes"
    PARTLY = "partly"
    NO = "no"


class MeasureEffect(StrEnum):
    """The small fixed scale for a measure's effect on its need."""

    NEED_MET = "need_met"
    CLEAR_PROGRESS = "clear_progress"
    SOME_PROGRESS = "some_progress"
    NO_PROGRESS = "no_progress"


class FollowUpOutcome(StrEnum):
    CONTINUE = "continue"
    REVISE = "revise"  # a new programme decision (process.md §1, S7→S5b)
    CLOSE = "close"  # a closing decision (S7→S8)


class AppealState(StrEnum):
    REGISTERED = "registered"
    CHANGED_ON_RECONSIDERATION = "changed_on_reconsideration"  # FL 38–39 §§
    DISMISSED_LATE = "dismissed_late"  # FL 45 §
    FORWARDED = "forwarded"  # FL 46 §: to Skolväsendets överklagandenämnd
    BOARD_UPHELD = "board_upheld"
    BOARD_SET_ASIDE = "board_set_aside"
    BOARD_RETURNED = "board_returned"  # SL 28 kap. 16 § second paragraph


class AppealAction(StrEnum):
    RECONSIDER_AND_CHANGE = "reconsider_and_change"
    DISMISS_AS_LATE = "dismiss_as_late"
    FORWARD = "forward"
    RECORD_BOARD_UPHELD = "record_board_upheld"
    RECORD_BOARD_SET_ASIDE = "record_board_set_aside"
    RECORD_BOARD_RETURNED = "record_board_returned"


APPEAL_TRANSITIONS: dict[tuple[AppealState, AppealAction], AppealState] = {
    (AppealState.REGISTERED, AppealAction.RECONSIDER_AND_CHANGE): (
        AppealState.CHANGED_ON_RECONSIDERATION
    ),
    (AppealState.REGISTERED, AppealAction.DISMISS_AS_LATE): AppealState.DISMISSED_LATE,
    (AppealState.REGISTERED, AppealAction.FORWARD): AppealState.FORWARDED,
    # Changed, but not as the appellant asked: the appeal is taken to cover the new decision and
    # is forwarded (39 § förvaltningslagen).
    (AppealState.CHANGED_ON_RECONSIDERATION, AppealAction.FORWARD): AppealState.FORWARDED,
    (AppealState.FORWARDED, AppealAction.RECORD_BOARD_UPHELD): AppealState.BOARD_UPHELD,
    (AppealState.FORWARDED, AppealAction.RECORD_BOARD_SET_ASIDE): AppealState.BOARD_SET_ASIDE,
    (AppealState.FORWARDED, AppealAction.RECORD_BOARD_RETURNED): AppealState.BOARD_RETURNED,
}


# --------------------------------------------------------------------------- transitions


def case_transition(state: CaseState, action: CaseAction) -> CaseState | Refused:
    if action is CaseAction.CLOSE_INVESTIGATION:
        return Refused(
            "investigation.close_without_decision",
            gettext_noop(
                "En utredning kan inte avslutas utan ett beslut om åtgärdsprogram eller ett "
                "beslut att inte utarbeta åtgärdsprogram."
            ),
            "3 kap. 9 § skollagen",
        )
    target = CASE_TRANSITIONS.get((state, action))
    if target is None:
        return Refused(
            "case.transition_not_allowed",
            gettext_noop("Det går inte i ärendets nuvarande läge (%(state)s)."),
            params=(("state", str(state)),),
        )
    return target


def appeal_transition(state: AppealState, action: AppealAction) -> AppealState | Refused:
    target = APPEAL_TRANSITIONS.get((state, action))
    if target is None:
        return Refused(
            "appeal.transition_not_allowed",
            gettext_noop("Överklagandet är redan handlagt i det här steget."),
        )
    return target


# --------------------------------------------------------------------------- who may decide


@dataclass(frozen=True)
class DecisionAuthority:
    """What the decision-maker is at the pupil's unit on the day of the decision."""

    is_principal: bool  # the rektor proper of the unit (SL 2 kap. 9 §)
    delegated_types: frozenset[str]  # decision types covered by valid delegations that day
    # A delegate must be employed or engaged at the unit (SL 2 kap. 10 §): a duty there that day.
    has_unit_duty: bool = True


def required_decision_types(kind: DecisionKind, settings: Collection[MeasureSetting]) -> set[str]:
    """The decision types a decision amounts to: the programme itself plus any reserved form."""
    types = {str(kind)}
    if kind is DecisionKind.ACTION_PROGRAMME:
        types |= {str(setting) for setting in settings if setting in RESERVED_SETTINGS}
    return types


def may_decide(
    authority: DecisionAuthority,
    kind: DecisionKind,
    settings: Collection[MeasureSetting] = (),
) -> Outcome:
    """The rektor decides; a delegate only within a delegation valid on the day (SL 2 kap. 10 §).

    Special teaching group, individual teaching, distance teaching and adapted study path are
    reserved for the rektor (SL 3 kap. 9 § second paragraph) and refused to anyone else.
    """
    reserved = sorted(
        {setting for setting in settings if setting in RESERVED_SETTINGS},
        key=list(MeasureSetting).index,
    )
    if kind is DecisionKind.ACTION_PROGRAMME and reserved and not authority.is_principal:
        return Refused(
            "decision.reserved_for_principal",
            gettext_noop(
                "Beslut om särskild undervisningsgrupp, enskild undervisning, "
                "distansundervisning och anpassad studiegång fattas av rektorn och får inte "
                "delegeras."
            ),
            RESERVED_SETTINGS[reserved[0]],
        )
    if authority.is_principal:
        return ALLOWED
    if str(kind) in authority.delegated_types:
        if not authority.has_unit_duty:
            return Refused(
                "decision.delegate_not_at_unit",
                gettext_noop(
                    "Delegeringen gäller bara den som är anställd eller uppdragstagare vid "
                    "skolenheten. Du har ingen tjänst vid enheten på beslutsdagen."
                ),
                "2 kap. 10 § skollagen",
            )
        return ALLOWED
    return Refused(
        "decision.no_delegation",
        gettext_noop(
            "Du har ingen delegering som omfattar det här beslutet på beslutsdagen. Beslutet "
            "fattas av rektorn eller av den som rektorn har delegerat det till."
        ),
        "2 kap. 10 § skollagen",
    )


# --------------------------------------------------------------------------- guards


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


def may_conclude_assessment(facts: AssessmentFacts) -> Outcome:
    if facts.already_assessed:
        # The assessment is what the decision rests on; a second one would draft a second
        # programme for the same case. A changed picture is a new investigation.
        return Refused(
            "investigation.already_assessed",
            gettext_noop(
                "Bedömningen är redan gjord. Om elevens behov har förändrats görs en ny utredning."
            ),
            "3 kap. 7 § skollagen",
        )
    if not facts.mapping_done:
        return Refused(
            "investigation.mapping_missing",
            gettext_noop("Kartläggningen måste vara ifylld innan bedömningen görs."),
            "3 kap. 7 § skollagen",
        )
    if not facts.eht_consulted and not facts.eht_skip_reason.strip():
        return Refused(
            "investigation.eht_not_consulted",
            gettext_noop(
                "Samråd med elevhälsan ska ske om det inte är uppenbart obehövligt. Ange "
                "samrådet eller skälet till att det är obehövligt."
            ),
            "3 kap. 7 § andra stycket skollagen",
        )
    if facts.special_support_needed is None:
        return Refused(
            "investigation.conclusion_missing",
            gettext_noop("Ange om eleven är i behov av särskilt stöd."),
            "3 kap. 7 § skollagen",
        )
    if facts.special_support_needed and facts.needs_found == 0:
        return Refused(
            "investigation.needs_missing",
            gettext_noop("Beskriv de behov av särskilt stöd som utredningen har funnit."),
            "3 kap. 9 § skollagen",
        )
    return ALLOWED


@dataclass(frozen=True)
class MeasureFacts:
    has_need: bool
    has_responsible: bool
    setting: MeasureSetting
    starts_on: date | None
    ends_on: date | None
    has_special_reasons: bool  # särskilda skäl / why support cannot reasonably be adapted


@dataclass(frozen=True)
class ProgrammeFacts:
    """A programme draft as the decision sees it (SL 3 kap. 9 §; process.md §2.4, §2.7)."""

    needs: int
    measures: tuple[MeasureFacts, ...]
    follow_up_on: date | None
    follow_up_responsible: bool
    evaluation_on: date | None
    evaluation_responsible: bool
    participation_offered: bool  # pupil and guardians offered to take part
    statement_of_reasons: str


def term_end(day: date) -> date:
    """The last day of the term `day` falls in: spring to 30 June, autumn to 31 December.

    Calendar halves stand in for the school's own term dates, which the law does not fix.
    """
    return date(day.year, 6, 30) if day.month <= 6 else date(day.year, 12, 31)


def may_decide_programme(facts: ProgrammeFacts, decided_on: date) -> Outcome:
    if facts.needs == 0:
        return Refused(
            "programme.needs_missing",
            gettext_noop("Åtgärdsprogrammet ska ange elevens behov av särskilt stöd."),
            "3 kap. 9 § första stycket skollagen",
        )
    if not facts.measures:
        return Refused(
            "programme.measures_missing",
            gettext_noop("Åtgärdsprogrammet ska ange hur behoven ska tillgodoses."),
            "3 kap. 9 § första stycket skollagen",
        )
    for measure in facts.measures:
        outcome = measure_outcome(measure, decided_on)
        if isinstance(outcome, Refused):
            return outcome
    if facts.follow_up_on is None or not facts.follow_up_responsible:
        return Refused(
            "programme.follow_up_missing",
            gettext_noop("Ange när åtgärderna ska följas upp och vem som ansvarar för det."),
            "3 kap. 9 § första stycket skollagen",
        )
    if facts.evaluation_on is None or not facts.evaluation_responsible:
        return Refused(
            "programme.evaluation_missing",
            gettext_noop("Ange när åtgärderna ska utvärderas och vem som ansvarar för det."),
            "3 kap. 9 § första stycket skollagen",
        )
    if not facts.participation_offered:
        return Refused(
            "programme.participation_not_offered",
            gettext_noop(
                "Eleven och elevens vårdnadshavare ska ges möjlighet att delta när "
                "åtgärdsprogrammet utarbetas."
            ),
            "3 kap. 9 § första stycket skollagen",
        )
    return _reasons_given(facts.statement_of_reasons)


def measure_outcome(measure: MeasureFacts, decided_on: date) -> Outcome:
    if not measure.has_need:
        return Refused(
            "programme.measure_without_need",
            gettext_noop("Varje åtgärd ska höra till ett av behoven i programmet."),
            "3 kap. 9 § skollagen",
        )
    if not measure.has_responsible:
        return Refused(
            "programme.measure_without_responsible",
            gettext_noop("Ange vem som ansvarar för varje åtgärd."),
            "3 kap. 9 § skollagen",
        )
    if measure.setting in RESERVED_SETTINGS and not measure.has_special_reasons:
        return Refused(
            "programme.special_reasons_missing",
            gettext_noop(
                "Ange de särskilda skälen, eller varför stödet inte i rimlig grad kan anpassas, "
                "för åtgärder utanför elevens egen grupp."
            ),
            "3 kap. 11–12 §§ skollagen",
        )
    if measure.setting is MeasureSetting.DISTANCE_TEACHING:
        return distance_period_outcome(measure.starts_on, measure.ends_on, decided_on)
    return ALLOWED


def distance_period_outcome(
    starts_on: date | None, ends_on: date | None, decided_on: date
) -> Outcome:
    """A decision on distance teaching covers at most one term at a time (SL 3 kap. 11 a §
    second paragraph): the period runs from the decision, never before it, and lies within one
    term — the term it starts in, which may be the next one (a decision in December for the
    spring term is lawful). A period already over decides nothing."""
    start = starts_on or decided_on
    last_day = term_end(max(start, decided_on))
    if start < decided_on:
        return Refused(
            "programme.distance_starts_before_decision",
            gettext_noop(
                "Distansundervisningen kan inte börja före beslutet. Ange ett startdatum från "
                "och med %(decided_on)s."
            ),
            "3 kap. 11 a § skollagen",
            params=(("decided_on", decided_on.isoformat()),),
        )
    if ends_on is not None and ends_on < start:
        return Refused(
            "programme.distance_period_expired",
            gettext_noop(
                "Perioden för distansundervisningen är redan slut eller slutar före den börjar. "
                "Ange en period inom terminen, senast %(term_end)s."
            ),
            "3 kap. 11 a § andra stycket skollagen",
            params=(("term_end", last_day.isoformat()),),
        )
    if ends_on is None or ends_on > last_day:
        return Refused(
            "programme.distance_over_one_term",
            gettext_noop(
                "Ett beslut om distansundervisning får avse högst en termin åt gången. Ange "
                "ett slutdatum senast %(term_end)s."
            ),
            "3 kap. 11 a § andra stycket skollagen",
            params=(("term_end", last_day.isoformat()),),
        )
    return ALLOWED


def _reasons_given(statement_of_reasons: str) -> Outcome:
    # An appealable decision must state its reasons (FL 32 § via SL 29 kap. 10 §).
    if not statement_of_reasons.strip():
        return Refused(
            "decision.reasons_missing",
            gettext_noop("Ett beslut som går att överklaga ska innehålla en motivering."),
            "32 § förvaltningslagen, 29 kap. 10 § skollagen",
        )
    return ALLOWED


def may_decide_no_programme(
    special_support_needed: bool | None,
    statement_of_reasons: str,
    *,
    programme_drafted: bool = False,
) -> Outcome:
    """`programme_drafted`: the concluded assessment found a need and drafted the programme,
    so the pupil must get one, whatever the investigation's fields say now."""
    if special_support_needed is None and not programme_drafted:
        return Refused(
            "investigation.not_assessed",
            gettext_noop("Utredningen måste ha en bedömning innan beslut fattas."),
            "3 kap. 7 § skollagen",
        )
    if special_support_needed or programme_drafted:
        return Refused(
            "decision.support_needed",
            gettext_noop(
                "Utredningen visar att eleven är i behov av särskilt stöd. Eleven ska då ges "
                "särskilt stöd och ett åtgärdsprogram ska utarbetas."
            ),
            "3 kap. 7 § tredje stycket och 9 § skollagen",
        )
    return _reasons_given(statement_of_reasons)


def may_decide_programme_after_assessment(special_support_needed: bool | None) -> Outcome:
    if special_support_needed is None:
        return Refused(
            "investigation.not_assessed",
            gettext_noop("Utredningen måste ha en bedömning innan beslut fattas."),
            "3 kap. 7 § skollagen",
        )
    if not special_support_needed:
        return Refused(
            "decision.no_support_needed",
            gettext_noop(
                "Utredningen visar inget behov av särskilt stöd. Fatta i stället beslut om att "
                "inte utarbeta åtgärdsprogram."
            ),
            "3 kap. 9 § tredje stycket skollagen",
        )
    return ALLOWED


def may_decide_closure(evaluations_done: int, statement_of_reasons: str) -> Outcome:
    if evaluations_done == 0:
        return Refused(
            "closure.not_evaluated",
            gettext_noop("Ett åtgärdsprogram avslutas på grundval av en utvärdering."),
            "3 kap. 9 § skollagen",
        )
    return _reasons_given(statement_of_reasons)


def may_open_investigation(investigators: int) -> Outcome:
    if investigators == 0:
        return Refused(
            "investigation.no_investigator",
            gettext_noop("Utse minst en person som ska utreda."),
            "3 kap. 7 § skollagen",
        )
    return ALLOWED


def may_refer(ground: ReferralGround, adaptations_linked: int) -> Outcome:
    """A report "despite adaptations" shows which adaptations were tried (process.md §2.2)."""
    if ground is ReferralGround.DESPITE_ADAPTATIONS and adaptations_linked == 0:
        return Refused(
            "referral.adaptations_missing",
            gettext_noop(
                "Ange vilka extra anpassningar som har prövats, eller välj en annan grund för "
                "anmälan."
            ),
            "3 kap. 7 § första stycket 1 skollagen",
        )
    return ALLOWED


def may_edit_programme(state: ProgrammeState) -> Outcome:
    """A decided programme is never edited in place; a revision is a new decision."""
    if state is not ProgrammeState.DRAFT:
        return Refused(
            "programme.decided_is_locked",
            gettext_noop(
                "Ett beslutat åtgärdsprogram ändras inte. Gör en revidering – den blir ett nytt "
                "beslut som går att överklaga."
            ),
            "3 kap. 9 § skollagen",
        )
    return ALLOWED


def may_evaluate_adaptation(state: AdaptationState) -> Outcome:
    if state is not AdaptationState.ACTIVE:
        return Refused(
            "adaptation.ended",
            gettext_noop("Anpassningen är avslutad."),
        )
    return ALLOWED


# ------------------------------------------------- investigation, programme and decision guards


def adaptation_stays_active(step: AdaptationNextStep) -> bool:
    """Only "end" ends an adaptation. A report to the principal does not: extra adaptations
    continue while the need of special support is investigated (SL 3 kap. 5 §, 7 §)."""
    return step is not AdaptationNextStep.END


def may_edit_investigation(closed: bool) -> Outcome:
    if closed:
        return Refused(
            "investigation.closed",
            gettext_noop("Utredningen är avslutad genom ett beslut och ändras inte."),
            "3 kap. 9 § skollagen",
        )
    return ALLOWED


def may_change_assessment(already_assessed: bool, conclusion_changed: bool) -> Outcome:
    """The conclusion (special support needed or not, and the needs found) is what the decision
    rests on. Once concluded it stands; the other text may still be corrected. A changed picture
    is a new investigation (SL 3 kap. 7 §; process.md §2.3, §2.5)."""
    if already_assessed and conclusion_changed:
        return Refused(
            "investigation.assessment_locked",
            gettext_noop(
                "Bedömningen är slutförd: slutsatsen om behov av särskilt stöd och de behov som "
                "har funnits kan inte ändras. Om elevens behov har förändrats görs en ny "
                "utredning. Övrig text går att rätta."
            ),
            "3 kap. 7 § skollagen",
        )
    return ALLOWED


def may_set_investigation_target(target_on: date, today: date) -> Outcome:
    if target_on < today:
        return Refused(
            "investigation.target_in_past",
            gettext_noop("Datumet då utredningen ska vara klar kan inte ha passerat."),
            "3 kap. 7 § skollagen",
        )
    return ALLOWED


class ProgrammeStep(StrEnum):
    """What is done to a programme that only a programme in force allows."""

    CLOSE = "close"
    REVISE = "revise"
    FOLLOW_UP = "follow_up"


_NOT_IN_FORCE_MESSAGES = {
    ProgrammeStep.CLOSE: gettext_noop("Bara ett gällande åtgärdsprogram kan avslutas."),
    ProgrammeStep.REVISE: gettext_noop("Bara ett gällande åtgärdsprogram kan revideras."),
    ProgrammeStep.FOLLOW_UP: gettext_noop("Bara ett gällande åtgärdsprogram följs upp."),
}


def may_act_on_programme(state: ProgrammeState, step: ProgrammeStep) -> Outcome:
    """Follow-up, evaluation, revision and closure concern the programme that has been decided
    and is in force (SL 3 kap. 9 §)."""
    if state is not ProgrammeState.IN_FORCE:
        return Refused(
            "programme.not_in_force", _NOT_IN_FORCE_MESSAGES[step], "3 kap. 9 § skollagen"
        )
    return ALLOWED


def may_record_follow_up(
    all_measures_reviewed: bool, continues: bool, next_on: date | None, today: date
) -> Outcome:
    if not all_measures_reviewed:
        return Refused(
            "follow_up.measure_missing",
            gettext_noop("Bedöm varje åtgärd i programmet."),
            "3 kap. 9 § skollagen",
        )
    if continues and (next_on is None or next_on <= today):
        return Refused(
            "follow_up.next_date_missing",
            gettext_noop(
                "Ange när programmet följs upp nästa gång; åtgärdsprogrammet ska ange när "
                "uppföljning sker."
            ),
            "3 kap. 9 § skollagen",
        )
    return ALLOWED


# ------------------------------------------------- end investigation, programme and decision guards


# --------------------------------------------------------------------------- appeals


APPEAL_WEEKS = 3  # FL 44 § via SL 29 kap. 11 §: three weeks from the day the appellant received it


def appeal_deadline(received_on: date, days_off: Collection[date] = ()) -> date:
    """The last day to lodge an appeal, for one recipient.

    A time limit ending on a Saturday, Sunday or public holiday, or on midsommarafton,
    julafton or nyårsafton, runs to the next weekday (lag (1930:173) om beräkning av
    lagstadgad tid). `days_off` is that set of holidays, supplied by the caller.
    """
    deadline = received_on + timedelta(weeks=APPEAL_WEEKS)
    while deadline.weekday() >= 5 or deadline in days_off:
        deadline += timedelta(days=1)
    return deadline


# ------------------------------------------------- service and appeal rules (FL 43–47 §§)
# FL 43–47 §§ (how an appeal is made, its time, late appeals, forwarding) apply to every
# huvudman, municipal or enskild, through SL 29 kap. 11 §; FL 33 § (underrättelse) through
# SL 29 kap. 10 §. FL 37–39 §§ (ändring av beslut, omprövning) are NOT among the sections SL 29 kap.
# 10–11 §§ list: they bind a municipal huvudman because förvaltningslagen applies to the
# municipality as an authority, not an enskild huvudman.
FL_HOW_TO_APPEAL = "43 § förvaltningslagen (29 kap. 11 § skollagen)"
FL_APPEAL_TIME = "44 § förvaltningslagen (29 kap. 11 § skollagen)"
FL_LATE_APPEAL = "45 § förvaltningslagen (29 kap. 11 § skollagen)"
FL_LATE_EXCUSED = "45 § andra stycket förvaltningslagen (29 kap. 11 § skollagen)"
FL_FORWARD = "46 § förvaltningslagen (29 kap. 11 § skollagen)"
RECONSIDERATION_CITATION = {
    True: "37–39 §§ förvaltningslagen",  # municipal huvudman: FL applies directly
    False: "29 kap. 10–11 §§ skollagen (37–39 §§ förvaltningslagen gäller inte enskild huvudman)",
}


def reconsideration_citation(municipal: bool) -> str:
    """Where a decision-maker's changing of its own decision rests, by kind of huvudman."""
    return RECONSIDERATION_CITATION[municipal]


def may_record_service(
    *,
    recorded_received_on: date | None,
    received_on: date | None,
    sent_on: date | None,
    today: date,
) -> Outcome:
    """Service is evidence: the day a recipient got the decision starts their three weeks, so
    once recorded it is never changed or cleared by re-recording (process.md §2.4, rule 5)."""
    if recorded_received_on is not None and received_on != recorded_received_on:
        return Refused(
            "service.receipt_recorded",
            gettext_noop(
                "Dagen då mottagaren fick del av beslutet är redan registrerad (%(received_on)s) "
                "och kan inte ändras eller tas bort, eftersom överklagandetiden räknas från den. "
                "Är den fel, registrera en rättelse med skäl."
            ),
            FL_APPEAL_TIME,
            params=(("received_on", recorded_received_on.isoformat()),),
        )
    return _service_dates(received_on, sent_on, today)


def _service_dates(received_on: date | None, sent_on: date | None, today: date) -> Outcome:
    if received_on is not None and received_on > today:
        return Refused(
            "service.received_in_future",
            gettext_noop("Mottagningsdagen kan inte ligga i framtiden."),
            FL_APPEAL_TIME,
        )
    if sent_on is not None and received_on is not None and received_on < sent_on:
        return Refused(
            "service.received_before_sent",
            gettext_noop("Beslutet kan inte ha tagits emot innan det skickades."),
            FL_APPEAL_TIME,
        )
    return ALLOWED


def may_correct_service(
    *,
    recorded_received_on: date | None,
    received_on: date,
    sent_on: date | None,
    reason: str,
    appeals_counted_from_it: int,
    today: date,
) -> Outcome:
    """A wrongly recorded receipt day is corrected as a new, logged act with a reason; the old
    day is kept. Not once an appeal's timeliness has been judged from it."""
    if recorded_received_on is None:
        return Refused(
            "service.nothing_to_correct",
            gettext_noop("Ingen mottagningsdag är registrerad ännu. Registrera delgivningen."),
            FL_APPEAL_TIME,
        )
    if not reason.strip():
        return Refused(
            "service.correction_reason",
            gettext_noop("Ange skälet till rättelsen."),
            FL_APPEAL_TIME,
        )
    if received_on == recorded_received_on:
        return Refused(
            "service.correction_unchanged",
            gettext_noop("Rättelsen anger samma dag som redan är registrerad."),
            FL_APPEAL_TIME,
        )
    if appeals_counted_from_it:
        return Refused(
            "service.correction_after_appeal",
            gettext_noop(
                "Ett överklagande har redan prövats mot den registrerade mottagningsdagen. Dagen "
                "kan inte ändras i efterhand; beskriv felet i handläggningen av överklagandet."
            ),
            FL_LATE_APPEAL,
        )
    return _service_dates(received_on, sent_on, today)


def may_register_appeal(
    *, lodged_on: date, decided_on: date, today: date, appellant_served_row: bool
) -> Outcome:
    """An appeal is registered against the appellant's own service row: their three weeks run
    from their own receipt (FL 44 §), and only a recipient may appeal (SL 29 kap. 12 §)."""
    if not appellant_served_row:
        return Refused(
            "appeal.service_required",
            gettext_noop(
                "Välj vem som överklagar bland beslutets mottagare: tiden för överklagande "
                "räknas från den dag just den personen fick del av beslutet."
            ),
            FL_APPEAL_TIME,
        )
    if lodged_on > today:
        return Refused(
            "appeal.lodged_in_future",
            gettext_noop("Dagen då överklagandet kom in kan inte ligga i framtiden."),
            FL_HOW_TO_APPEAL,
        )
    if lodged_on < decided_on:
        return Refused(
            "appeal.before_decision",
            gettext_noop("Ett överklagande kan inte ha kommit in före beslutet."),
            FL_HOW_TO_APPEAL,
        )
    return ALLOWED


def appeal_is_timely(lodged_on: date, deadline: date | None, *, not_served: bool = False) -> bool:
    """In time if lodged by the deadline. An appellant not yet served is in time by definition:
    their time has not begun to run (FL 44 §). `deadline` None means exactly that."""
    return not_served or deadline is None or lodged_on <= deadline


def late_appeal_excused(*, reached_board_in_time: bool, wrong_appeal_instructions: bool) -> bool:
    """FL 45 § andra stycket: a late appeal is not dismissed if the delay is due to wrong appeal
    instructions from the authority, or if it reached the appellate body within the time."""
    return reached_board_in_time or wrong_appeal_instructions


def may_forward_appeal(
    lodged_on: date,
    deadline: date | None,
    *,
    not_served: bool = False,
    reached_board_in_time: bool = False,
    wrong_appeal_instructions: bool = False,
) -> Outcome:
    if appeal_is_timely(lodged_on, deadline, not_served=not_served) or late_appeal_excused(
        reached_board_in_time=reached_board_in_time,
        wrong_appeal_instructions=wrong_appeal_instructions,
    ):
        return ALLOWED
    return Refused(
        "appeal.late",
        gettext_noop(
            "Överklagandet kom in efter sista dag (%(deadline)s) och ska avvisas, inte "
            "överlämnas, om det inte kom in till nämnden i tid eller förseningen beror på en "
            "felaktig överklagandehänvisning."
        ),
        FL_LATE_APPEAL,
        params=(("deadline", deadline.isoformat() if deadline else ""),),
    )


def may_dismiss_appeal_as_late(
    lodged_on: date,
    deadline: date | None,
    *,
    not_served: bool = False,
    reached_board_in_time: bool = False,
    wrong_appeal_instructions: bool = False,
) -> Outcome:
    if appeal_is_timely(lodged_on, deadline, not_served=not_served):
        return Refused(
            "appeal.timely",
            gettext_noop("Överklagandet kom in i tid och ska prövas, inte avvisas."),
            FL_LATE_APPEAL,
        )
    if late_appeal_excused(
        reached_board_in_time=reached_board_in_time,
        wrong_appeal_instructions=wrong_appeal_instructions,
    ):
        return Refused(
            "appeal.late_excused",
            gettext_noop(
                "Överklagandet får inte avvisas: det kom in till nämnden i tid eller förseningen "
                "beror på en felaktig överklagandehänvisning. Det ska överlämnas."
            ),
            FL_LATE_EXCUSED,
        )
    return ALLOWED


# Steps that leave the school to decide again: the board set aside or returned the decision
# (SL 28 kap. 16 § andra stycket), or the school itself changes it on reconsideration (the new
# decision is made through the normal flow and the appeal covers it, FL 39 §).
APPEAL_STEPS_REOPENING = frozenset(
    {
        AppealAction.RECONSIDER_AND_CHANGE,
        AppealAction.RECORD_BOARD_SET_ASIDE,
        AppealAction.RECORD_BOARD_RETURNED,
    }
)


# After these, the school makes a new decision through the normal flow and the appeal links it.
APPEAL_STATES_AWAITING_NEW_DECISION = frozenset(
    {
        AppealState.CHANGED_ON_RECONSIDERATION,
        AppealState.BOARD_SET_ASIDE,
        AppealState.BOARD_RETURNED,
    }
)


def case_action_after_appeal_step(
    action: AppealAction, decision_kind: DecisionKind, case_state: CaseState
) -> CaseAction | None:
    """When a decision not to draw up a programme is set aside, returned or changed, the case
    goes back to awaiting a new decision. A programme decision needs no case step (the new
    decision is a revision); other rulings, or a case that has moved on since, leave the case as
    it is (the ruling is recorded either way)."""
    if (
        action in APPEAL_STEPS_REOPENING
        and decision_kind is DecisionKind.NO_ACTION_PROGRAMME
        and case_state is CaseState.NO_PROGRAMME
    ):
        return CaseAction.REOPEN_AFTER_APPEAL
    return None


# ------------------------------------------------- end service and appeal rules


# --------------------------------------------------------------------------- deadlines


class DeadlineBasis(StrEnum):
    LAW = "law"
    MUNICIPAL = "municipal"


@dataclass(frozen=True)
class DeadlineSettings:
    """A huvudman's own deadlines (process.md §3: configurable defaults, not law)."""

    receipt_days: int = 2  # principal acknowledges a report
    investigation_start_days: int = 7  # investigation opened after receipt
    investigation_complete_days: int = 42  # about 4–6 weeks after the report
    decision_days: int = 14  # decision after the assessment
    adaptation_evaluation_days: int = 42  # default planned evaluation of an adaptation
    follow_up_interval_days: int = 42  # follow-up every 4–6 weeks
    service_days: int = 7  # decision served on the recipients


DEFAULT_DEADLINES = DeadlineSettings()


class TaskKind(StrEnum):
    EVALUATE_ADAPTATION = "evaluate_adaptation"
    RECEIVE_REFERRAL = "receive_referral"
    OPEN_INVESTIGATION = "open_investigation"
    COMPLETE_INVESTIGATION = "complete_investigation"
    DECIDE = "decide"
    SERVE_DECISION = "serve_decision"
    FOLLOW_UP = "follow_up"
    EVALUATE_PROGRAMME = "evaluate_programme"
    HANDLE_APPEAL = "handle_appeal"


@dataclass(frozen=True)
class Due:
    """One thing due from someone, with the rule that sets the date."""

    kind: TaskKind
    due_on: date
    basis: DeadlineBasis
    rule: str  # the paragraph or the municipal setting it comes from


def is_overdue(due: Due, today: date) -> bool:
    return due.due_on < today


@dataclass(frozen=True)
class CaseClock:
    """The dates a case's deadlines are counted from."""

    state: CaseState
    reported_on: date
    received_on: date | None = None
    investigation_opened_on: date | None = None
    assessed_on: date | None = None
    investigation_target_on: date | None = None
    extra: dict[str, date] = field(default_factory=dict)


def case_due(clock: CaseClock, settings: DeadlineSettings = DEFAULT_DEADLINES) -> Due | None:
    """What the case waits for next, and by when. The law says "skyndsamt"; the days are the
    huvudman's (process.md §3, rule 4)."""
    if clock.state is CaseState.REPORTED:
        return Due(
            TaskKind.RECEIVE_REFERRAL,
            clock.reported_on + timedelta(days=settings.receipt_days),
            DeadlineBasis.MUNICIPAL,
            "3 kap. 7 § skollagen (skyndsamt)",
        )
    if clock.state is CaseState.RECEIVED and clock.received_on is not None:
        return Due(
            TaskKind.OPEN_INVESTIGATION,
            clock.received_on + timedelta(days=settings.investigation_start_days),
            DeadlineBasis.MUNICIPAL,
            "3 kap. 7 § skollagen (skyndsamt)",
        )
    if clock.state is CaseState.INVESTIGATING and clock.assessed_on is not None:
        return Due(
            TaskKind.DECIDE,
            clock.assessed_on + timedelta(days=settings.decision_days),
            DeadlineBasis.MUNICIPAL,
            "3 kap. 9 § skollagen",
        )
    if clock.state is CaseState.INVESTIGATING:
        target = clock.investigation_target_on or (
            (clock.received_on or clock.reported_on)
            + timedelta(days=settings.investigation_complete_days)
        )
        return Due(
            TaskKind.COMPLETE_INVESTIGATION,
            target,
            DeadlineBasis.MUNICIPAL,
            "3 kap. 7 § skollagen (skyndsamt)",
        )
    return None


def support_level(active_adaptations: int, programme_in_force: bool) -> SupportLevel:
    if programme_in_force:
        return SupportLevel.SPECIAL_SUPPORT
    if active_adaptations:
        return SupportLevel.EXTRA_ADAPTATIONS
    return SupportLevel.GUIDANCE_AND_STIMULATION
