"""Kommunicering before an adverse decision (FL 25 § via SL 29 kap. 10 §; decision 0014).

Before a decision that goes against the family — not to draw up an action programme, or to
close one against the view the family has recorded — the school gives the family the material
the decision rests on and a set time to answer. It may refrain only on a ground in FL 25 §
andra stycket, recorded with its reason. The decision waits for the answer or the answer time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from elevstod.support.workflow.refusals import ALLOWED, Outcome, Refused, gettext_noop

FL_25 = "25 § förvaltningslagen (2017:900)"
FL_25_2 = "25 § andra stycket förvaltningslagen (2017:900)"


class CommunicationPurpose(StrEnum):
    """The adverse decisions the chain communicates before."""

    NO_PROGRAMME = "no_programme"  # not to draw up an action programme (SL 3 kap. 9 §)
    CLOSURE = "closure"  # to close a programme against the family's stated view


class CommunicationException(StrEnum):
    """FL 25 § andra stycket: when the authority may refrain from communicating."""

    NOT_ADVERSE = "not_adverse"  # 1: not against the party, no bearing, or obviously needless
    HARDER_TO_CARRY_OUT = "harder_to_carry_out"  # 2: it would make the decision harder to carry out
    CANNOT_WAIT = "cannot_wait"  # 3: the decision cannot be postponed


@dataclass(frozen=True)
class CommunicationFacts:
    """The latest communication before the decision, as the decision sees it; None: none."""

    sent_on: date | None
    answer_by: date | None
    answered_on: date | None
    exception_ground: str
    exception_reason: str


COMMUNICATION_MISSING = Refused(
    "communication.missing",
    gettext_noop(
        "Innan ett beslut som går eleven och vårdnadshavarna emot ska de få ta del av "
        "underlaget och få en bestämd tid att yttra sig. Registrera kommuniceringen, eller "
        "undantaget och skälet för det."
    ),
    FL_25,
)
ANSWER_TIME_RUNNING = Refused(
    "communication.answer_time_running",
    gettext_noop(
        "Eleven och vårdnadshavarna har till och med %(answer_by)s på sig att yttra sig över "
        "underlaget. Beslutet kan fattas när de har svarat eller tiden har gått ut."
    ),
    FL_25,
)


def adverse(purpose: CommunicationPurpose, *, family_objects: bool) -> bool:
    """A decision not to draw up a programme always goes against the family; closing one does
    when the family has recorded a view on it (the participant views; decision 0014)."""
    return purpose is CommunicationPurpose.NO_PROGRAMME or family_objects


def may_decide_adversely(
    communication: CommunicationFacts | None,
    today: date,
    *,
    is_adverse: bool = True,
) -> Outcome:
    """Communicated, with the answer in or the answer time over; or an exception recorded."""
    if not is_adverse:
        return ALLOWED
    if communication is None:
        return COMMUNICATION_MISSING
    if communication.exception_ground and communication.exception_reason.strip():
        return ALLOWED
    if communication.sent_on is None or communication.answer_by is None:
        return COMMUNICATION_MISSING
    if communication.answered_on is None and today <= communication.answer_by:
        return Refused(
            ANSWER_TIME_RUNNING.rule,
            ANSWER_TIME_RUNNING.message,
            FL_25,
            params=(("answer_by", communication.answer_by.isoformat()),),
        )
    return ALLOWED


EXCEPTION_WITHOUT_REASON = Refused(
    "communication.exception_without_reason",
    gettext_noop("Ange skälet till att kommunicering inte sker."),
    FL_25_2,
)
NOT_SENT = Refused(
    "communication.not_sent",
    gettext_noop("Ange vilken dag underlaget skickades, till vem och vad det var."),
    FL_25,
)
SENT_IN_FUTURE = Refused(
    "communication.sent_in_future",
    gettext_noop("Dagen då underlaget skickades kan inte ligga i framtiden."),
    FL_25,
)
NO_TIME_TO_ANSWER = Refused(
    "communication.no_time_to_answer",
    gettext_noop("Ange en sista dag för svar som ligger efter dagen då underlaget skickades."),
    FL_25,
)


NOTHING_TO_DECIDE = Refused(
    "communication.nothing_to_decide",
    gettext_noop(
        "Kommunicering görs inför ett beslut som ännu inte är fattat: ärendet är avslutat "
        "eller programmet gäller inte."
    ),
    FL_25,
)


def may_record_communication(
    *,
    decision_pending: bool = True,
    sent_on: date | None,
    recipients: str,
    material: str,
    answer_by: date | None,
    exception_ground: str,
    exception_reason: str,
    today: date,
) -> Outcome:
    """Either the material was sent, to whom, with a time to answer after the sending; or a
    ground in FL 25 § andra stycket with its reason. Only while the decision is still to be
    made (`decision_pending`: the investigation's case is open, the programme is in force)."""
    if not decision_pending:
        return NOTHING_TO_DECIDE
    if exception_ground:
        if not exception_reason.strip():
            return EXCEPTION_WITHOUT_REASON
        return ALLOWED
    if sent_on is None or not recipients.strip() or not material.strip():
        return NOT_SENT
    if sent_on > today:
        return SENT_IN_FUTURE
    if answer_by is None or answer_by <= sent_on:
        return NO_TIME_TO_ANSWER
    return ALLOWED


ANSWER_BEFORE_SENT = Refused(
    "communication.answer_before_sent",
    gettext_noop("Svaret kan inte ha kommit in innan underlaget skickades, eller i framtiden."),
    FL_25,
)
NOTHING_TO_ANSWER = Refused(
    "communication.nothing_to_answer",
    gettext_noop("Det finns ingen skickad kommunicering att registrera ett svar på."),
    FL_25,
)


ANSWER_RECORDED = Refused(
    "communication.answer_recorded",
    gettext_noop(
        "Familjens svar är redan registrerat. Det ändras inte; kommer mer från familjen, "
        "registrera det som en synpunkt eller en ny kommunicering."
    ),
    FL_25,
)


def may_record_answer(
    sent_on: date | None, answered_on: date, today: date, *, recorded_on: date | None = None
) -> Outcome:
    """The family's answer is evidence the decision rests on: recorded once, never overwritten."""
    if sent_on is None:
        return NOTHING_TO_ANSWER
    if recorded_on is not None:
        return ANSWER_RECORDED
    if answered_on < sent_on or answered_on > today:
        return ANSWER_BEFORE_SENT
    return ALLOWED
