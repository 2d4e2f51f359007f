"""The three decisions of the chain: who may make them, what each must rest on, and how each
recipient is served (SL 2 kap. 9–10 §§, 3 kap. 9 §; FL 32–33 §§, 44 § via SL 29 kap. 10–11 §§)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date

from elevstod.support.workflow.appeals import FL_APPEAL_TIME, FL_LATE_APPEAL
from elevstod.support.workflow.investigations import SL_3_7
from elevstod.support.workflow.programmes import (
    RESERVED_SETTINGS,
    SL_3_9,
    ProgrammeFacts,
    measure_outcome,
)
from elevstod.support.workflow.refusals import (
    ALLOWED,
    Outcome,
    Refused,
    first_refusal,
    gettext_noop,
    refused_where,
)
from elevstod.support.workflow.states import DecisionKind, MeasureSetting

SL_2_10 = "2 kap. 10 § skollagen"
SL_3_9_1 = "3 kap. 9 § första stycket skollagen"


@dataclass(frozen=True)
class DecisionAuthority:
    """What the decision-maker is at the pupil's unit on the day of the decision."""

    is_principal: bool  # the rektor proper of the unit (SL 2 kap. 9 §)
    delegated_types: frozenset[str]  # decision types covered by valid delegations that day
    # A delegate must be employed or engaged at the unit (SL 2 kap. 10 §): a duty there that day.
    has_unit_duty: bool = True


RESERVED_FOR_PRINCIPAL_MESSAGE = gettext_noop(
    "Beslut om särskild undervisningsgrupp, enskild undervisning, distansundervisning och "
    "anpassad studiegång fattas av rektorn och får inte delegeras."
)
DELEGATE_NOT_AT_UNIT = Refused(
    "decision.delegate_not_at_unit",
    gettext_noop(
        "Delegeringen gäller bara den som är anställd eller uppdragstagare vid "
        "skolenheten. Du har ingen tjänst vid enheten på beslutsdagen."
    ),
    SL_2_10,
)
NO_DELEGATION = Refused(
    "decision.no_delegation",
    gettext_noop(
        "Du har ingen delegering som omfattar det här beslutet på beslutsdagen. Beslutet "
        "fattas av rektorn eller av den som rektorn har delegerat det till."
    ),
    SL_2_10,
)
# An appealable decision must state its reasons (FL 32 § via SL 29 kap. 10 §).
REASONS_MISSING = Refused(
    "decision.reasons_missing",
    gettext_noop("Ett beslut som går att överklaga ska innehålla en motivering."),
    "32 § förvaltningslagen, 29 kap. 10 § skollagen",
)
NOT_ASSESSED = Refused(
    "investigation.not_assessed",
    gettext_noop("Utredningen måste ha en bedömning innan beslut fattas."),
    SL_3_7,
)
SUPPORT_NEEDED = Refused(
    "decision.support_needed",
    gettext_noop(
        "Utredningen visar att eleven är i behov av särskilt stöd. Eleven ska då ges "
        "särskilt stöd och ett åtgärdsprogram ska utarbetas."
    ),
    "3 kap. 7 § tredje stycket och 9 § skollagen",
)
NO_SUPPORT_NEEDED = Refused(
    "decision.no_support_needed",
    gettext_noop(
        "Utredningen visar inget behov av särskilt stöd. Fatta i stället beslut om att "
        "inte utarbeta åtgärdsprogram."
    ),
    "3 kap. 9 § tredje stycket skollagen",
)
NOT_EVALUATED = Refused(
    "closure.not_evaluated",
    gettext_noop("Ett åtgärdsprogram avslutas på grundval av en utvärdering."),
    SL_3_9,
)
# What SL 3 kap. 9 § first paragraph says a programme states, in the order it says it.
NEEDS_MISSING = Refused(
    "programme.needs_missing",
    gettext_noop("Åtgärdsprogrammet ska ange elevens behov av särskilt stöd."),
    SL_3_9_1,
)
MEASURES_MISSING = Refused(
    "programme.measures_missing",
    gettext_noop("Åtgärdsprogrammet ska ange hur behoven ska tillgodoses."),
    SL_3_9_1,
)
FOLLOW_UP_MISSING = Refused(
    "programme.follow_up_missing",
    gettext_noop("Ange när åtgärderna ska följas upp och vem som ansvarar för det."),
    SL_3_9_1,
)
EVALUATION_MISSING = Refused(
    "programme.evaluation_missing",
    gettext_noop("Ange när åtgärderna ska utvärderas och vem som ansvarar för det."),
    SL_3_9_1,
)
FOLLOW_UP_BEFORE_DECISION = Refused(
    "programme.follow_up_before_decision",
    gettext_noop(
        "Uppföljningen kan inte ligga före beslutsdagen (%(decided_on)s). Ange när åtgärderna "
        "ska följas upp från och med i dag."
    ),
    SL_3_9_1,
)
EVALUATION_BEFORE_DECISION = Refused(
    "programme.evaluation_before_decision",
    gettext_noop(
        "Utvärderingen kan inte ligga före beslutsdagen (%(decided_on)s). Ange när åtgärderna "
        "ska utvärderas från och med i dag."
    ),
    SL_3_9_1,
)
EVALUATION_BEFORE_FOLLOW_UP = Refused(
    "programme.evaluation_before_follow_up",
    gettext_noop(
        "Utvärderingen (%(evaluation_on)s) kan inte ligga före uppföljningen (%(follow_up_on)s). "
        "Åtgärderna följs upp medan de pågår och utvärderas sedan."
    ),
    SL_3_9_1,
)
PARTICIPATION_NOT_OFFERED = Refused(
    "programme.participation_not_offered",
    gettext_noop(
        "Eleven och elevens vårdnadshavare ska ges möjlighet att delta när "
        "åtgärdsprogrammet utarbetas."
    ),
    SL_3_9_1,
)


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
            RESERVED_FOR_PRINCIPAL_MESSAGE,
            RESERVED_SETTINGS[reserved[0]],
        )
    if authority.is_principal:
        return ALLOWED
    delegated = str(kind) in authority.delegated_types
    return refused_where(
        (not delegated, NO_DELEGATION),
        (not authority.has_unit_duty, DELEGATE_NOT_AT_UNIT),
    )


def reasons_given(statement_of_reasons: str) -> Outcome:
    return refused_where((not statement_of_reasons.strip(), REASONS_MISSING))


def may_decide_programme(facts: ProgrammeFacts, decided_on: date) -> Outcome:
    """The programme states the needs, the measures, when and by whom they are followed up and
    evaluated, and the pupil and guardians were offered to take part (SL 3 kap. 9 §)."""
    if facts.needs == 0:
        return NEEDS_MISSING
    if not facts.measures:
        return MEASURES_MISSING
    return first_refusal(
        *(measure_outcome(measure, decided_on) for measure in facts.measures),
        refused_where(
            (facts.follow_up_on is None or not facts.follow_up_responsible, FOLLOW_UP_MISSING),
            (facts.evaluation_on is None or not facts.evaluation_responsible, EVALUATION_MISSING),
        ),
        programme_dates_in_order(facts.follow_up_on, facts.evaluation_on, decided_on),
        refused_where((not facts.participation_offered, PARTICIPATION_NOT_OFFERED)),
        reasons_given(facts.statement_of_reasons),
    )


def programme_dates_in_order(
    follow_up_on: date | None, evaluation_on: date | None, decided_on: date
) -> Outcome:
    """What SL 3 kap. 9 § asks of "när åtgärderna ska följas upp och utvärderas" read as days
    that can come: neither before the decision, and the evaluation not before the follow-up
    (the same day is allowed)."""
    day = (("decided_on", decided_on.isoformat()),)
    if follow_up_on is not None and follow_up_on < decided_on:
        return replace(FOLLOW_UP_BEFORE_DECISION, params=day)
    if evaluation_on is not None and evaluation_on < decided_on:
        return replace(EVALUATION_BEFORE_DECISION, params=day)
    if follow_up_on is not None and evaluation_on is not None and evaluation_on < follow_up_on:
        return replace(
            EVALUATION_BEFORE_FOLLOW_UP,
            params=(
                ("evaluation_on", evaluation_on.isoformat()),
                ("follow_up_on", follow_up_on.isoformat()),
            ),
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
    return first_refusal(
        refused_where(
            (special_support_needed is None and not programme_drafted, NOT_ASSESSED),
            (bool(special_support_needed) or programme_drafted, SUPPORT_NEEDED),
        ),
        reasons_given(statement_of_reasons),
    )


def may_decide_programme_after_assessment(special_support_needed: bool | None) -> Outcome:
    return refused_where(
        (special_support_needed is None, NOT_ASSESSED),
        (not special_support_needed, NO_SUPPORT_NEEDED),
    )


def may_decide_closure(evaluations_done: int, statement_of_reasons: str) -> Outcome:
    """A programme is closed on the strength of an evaluation (SL 3 kap. 9 §)."""
    return first_refusal(
        refused_where((evaluations_done == 0, NOT_EVALUATED)),
        reasons_given(statement_of_reasons),
    )


# ----------------------------------------------------------------------------- service (delgivning)
# The day a recipient got the decision starts their three weeks to appeal (FL 44 §).

RECEIVED_IN_FUTURE = Refused(
    "service.received_in_future",
    gettext_noop("Mottagningsdagen kan inte ligga i framtiden."),
    FL_APPEAL_TIME,
)
RECEIVED_BEFORE_SENT = Refused(
    "service.received_before_sent",
    gettext_noop("Beslutet kan inte ha tagits emot innan det skickades."),
    FL_APPEAL_TIME,
)
RECEIVED_BEFORE_DECISION = Refused(
    "service.received_before_decision",
    gettext_noop(
        "Mottagningsdagen kan inte ligga före beslutsdagen (%(decided_on)s). Ingen kan få del "
        "av ett beslut innan det är fattat, och tiden för att överklaga räknas från den dagen."
    ),
    FL_APPEAL_TIME,
)
SENT_IN_FUTURE = Refused(
    "service.sent_in_future",
    gettext_noop("Dagen då beslutet skickades kan inte ligga i framtiden."),
    FL_APPEAL_TIME,
)
SENT_BEFORE_DECISION = Refused(
    "service.sent_before_decision",
    gettext_noop(
        "Beslutet kan inte ha skickats före beslutsdagen (%(decided_on)s). Kontrollera datumet."
    ),
    FL_APPEAL_TIME,
)


def _before_decision(refusal: Refused, decided_on: date) -> Refused:
    return replace(refusal, params=(("decided_on", decided_on.isoformat()),))


def may_record_service(
    *,
    recorded_received_on: date | None,
    received_on: date | None,
    sent_on: date | None,
    today: date,
    decided_on: date | None = None,
) -> Outcome:
    """Service is evidence: the day a recipient got the decision starts their three weeks, so
    once recorded it is never changed or cleared by re-recording (process.md §2.4, rule 5).

    Neither sending nor receipt precedes the decision or lies in the future (FL 44 §).
    `decided_on` None: the decision's day is not known to the caller (its check is skipped)."""
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
    return _service_dates(received_on, sent_on, today, decided_on)


def _service_dates(
    received_on: date | None, sent_on: date | None, today: date, decided_on: date | None
) -> Outcome:
    """The days of a service in the order they can happen: decided, sent, received, today.
    Plain comparisons only, so absurd days (year 1, year 9999) are refused, never computed on."""
    decided = decided_on or date.min
    return refused_where(
        (received_on is not None and received_on > today, RECEIVED_IN_FUTURE),
        (
            received_on is not None and received_on < decided,
            _before_decision(RECEIVED_BEFORE_DECISION, decided),
        ),
        (
            sent_on is not None and received_on is not None and received_on < sent_on,
            RECEIVED_BEFORE_SENT,
        ),
        (sent_on is not None and sent_on > today, SENT_IN_FUTURE),
        (
            sent_on is not None and sent_on < decided,
            _before_decision(SENT_BEFORE_DECISION, decided),
        ),
    )


NOTHING_TO_CORRECT = Refused(
    "service.nothing_to_correct",
    gettext_noop("Ingen mottagningsdag är registrerad ännu. Registrera delgivningen."),
    FL_APPEAL_TIME,
)
CORRECTION_REASON = Refused(
    "service.correction_reason", gettext_noop("Ange skälet till rättelsen."), FL_APPEAL_TIME
)
CORRECTION_UNCHANGED = Refused(
    "service.correction_unchanged",
    gettext_noop("Rättelsen anger samma dag som redan är registrerad."),
    FL_APPEAL_TIME,
)
CORRECTION_AFTER_APPEAL = Refused(
    "service.correction_after_appeal",
    gettext_noop(
        "Ett överklagande har redan prövats mot den registrerade mottagningsdagen. Dagen "
        "kan inte ändras i efterhand; beskriv felet i handläggningen av överklagandet."
    ),
    FL_LATE_APPEAL,
)


def may_correct_service(
    *,
    recorded_received_on: date | None,
    received_on: date,
    sent_on: date | None,
    reason: str,
    appeals_counted_from_it: int,
    today: date,
    decided_on: date | None = None,
) -> Outcome:
    """A wrongly recorded receipt day is corrected as a new, logged act with a reason; the old
    day is kept. Not once an appeal's timeliness has been judged from it. The new day obeys what
    a recorded one does (may_record_service)."""
    refusal = refused_where(
        (recorded_received_on is None, NOTHING_TO_CORRECT),
        (not reason.strip(), CORRECTION_REASON),
        (received_on == recorded_received_on, CORRECTION_UNCHANGED),
        (bool(appeals_counted_from_it), CORRECTION_AFTER_APPEAL),
    )
    if isinstance(refusal, Refused):
        return refusal
    return _service_dates(received_on, sent_on, today, decided_on)
