"""Kommunicering before an adverse decision (FL 25 §; issue 10 item 4b, decision 0014): the
pure rule, and the service the decision services call before deciding."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from elevstod.audit.models import AccessAction, AccessEvent
from elevstod.support.models import ChainEvent, Communication, ParticipantView
from elevstod.support.services import communication as communicating
from elevstod.support.services.communication import CommunicationInput
from elevstod.support.tests import builders as b
from elevstod.support.tests.builders import refused, today
from elevstod.support.workflow.communication import (
    FL_25,
    CommunicationException,
    CommunicationFacts,
    may_decide_adversely,
    may_record_answer,
    may_record_communication,
)
from elevstod.support.workflow.refusals import ALLOWED, Refused
from tests.world import World

DAY = date(2026, 10, 5)
SENT = CommunicationFacts(
    sent_on=DAY,
    answer_by=DAY + timedelta(days=10),
    answered_on=None,
    exception_ground="",
    exception_reason="",
)


def _rule(outcome: object) -> str | None:
    return outcome.rule if isinstance(outcome, Refused) else None


# ----------------------------------------------------------------------------- the pure rule


def test_an_adverse_decision_without_communication_is_refused_citing_25_paragraph() -> None:
    outcome = may_decide_adversely(None, DAY)
    assert isinstance(outcome, Refused)
    assert outcome.rule == "communication.missing"
    assert outcome.paragraph == "25 § förvaltningslagen (2017:900)" == FL_25


def test_an_adverse_decision_waits_for_the_answer_time() -> None:
    outcome = may_decide_adversely(SENT, DAY + timedelta(days=10))
    assert _rule(outcome) == "communication.answer_time_running"
    assert isinstance(outcome, Refused)
    assert dict(outcome.params) == {"answer_by": "2026-10-15"}
    assert "2026-10-15" in outcome.text()


def test_an_adverse_decision_may_be_made_when_the_answer_time_is_over() -> None:
    assert may_decide_adversely(SENT, DAY + timedelta(days=11)) == ALLOWED


def test_an_adverse_decision_may_be_made_when_the_family_has_answered() -> None:
    answered = CommunicationFacts(SENT.sent_on, SENT.answer_by, DAY + timedelta(days=2), "", "")
    assert may_decide_adversely(answered, DAY + timedelta(days=3)) == ALLOWED


def test_a_recorded_exception_with_its_reason_allows_the_adverse_decision() -> None:
    excepted = CommunicationFacts(None, None, None, CommunicationException.CANNOT_WAIT, "Akut.")
    assert may_decide_adversely(excepted, DAY) == ALLOWED


def test_a_decision_that_is_not_adverse_needs_no_communication() -> None:
    assert may_decide_adversely(None, DAY, is_adverse=False) == ALLOWED


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({}, None),
        ({"sent_on": None}, "communication.not_sent"),
        ({"recipients": " "}, "communication.not_sent"),
        ({"material": ""}, "communication.not_sent"),
        ({"sent_on": DAY + timedelta(days=1)}, "communication.sent_in_future"),
        ({"answer_by": DAY}, "communication.no_time_to_answer"),
        ({"answer_by": None}, "communication.no_time_to_answer"),
        ({"exception_ground": "cannot_wait"}, "communication.exception_without_reason"),
        ({"exception_ground": "cannot_wait", "exception_reason": "Akut.", "sent_on": None}, None),
    ],
)
def test_a_communication_names_the_material_the_recipients_and_a_time_to_answer(
    changes: dict[str, object], rule: str | None
) -> None:
    values: dict[str, object] = {
        "sent_on": DAY,
        "recipients": "Vårdnadshavare och eleven",
        "material": "Utredningen och förslaget till beslut",
        "answer_by": DAY + timedelta(days=10),
        "exception_ground": "",
        "exception_reason": "",
        **changes,
    }
    assert _rule(may_record_communication(**values, today=DAY)) == rule  # type: ignore[arg-type]


def test_an_answer_cannot_precede_the_sending_or_lie_in_the_future() -> None:
    assert _rule(may_record_answer(DAY, DAY - timedelta(days=1), DAY)) == (
        "communication.answer_before_sent"
    )
    assert _rule(may_record_answer(DAY, DAY + timedelta(days=1), DAY)) == (
        "communication.answer_before_sent"
    )
    assert _rule(may_record_answer(None, DAY, DAY)) == "communication.nothing_to_answer"
    assert may_record_answer(DAY, DAY, DAY) == ALLOWED
    # Recorded once: a second answer never overwrites the first.
    assert _rule(may_record_answer(DAY, DAY, DAY, recorded_on=DAY)) == (
        "communication.answer_recorded"
    )


# ----------------------------------------------------------------------------- the service

SENT_INPUT = CommunicationInput(
    sent_on=today(),
    recipients="Vårdnadshavare och eleven",
    material="Utredningen och förslaget till beslut att inte utarbeta åtgärdsprogram",
    answer_by=today() + timedelta(days=10),
)


@pytest.mark.django_db
def test_a_decision_not_to_draw_up_a_programme_is_refused_until_communicated(
    world: World,
) -> None:
    investigation = b.investigation(world, needed=False)
    b.conclude(world, investigation)
    with refused("communication.missing"):
        communicating.refuse_adverse_decision_without_communication(
            investigation=investigation, today=today()
        )
    communicating.communication_record(
        actor=world.users["principal_a"],
        investigation=investigation,
        values=SENT_INPUT,
        today=today(),
    )
    with refused("communication.answer_time_running"):
        communicating.refuse_adverse_decision_without_communication(
            investigation=investigation, today=today()
        )
    communication = communicating.latest_communication(investigation=investigation)
    assert communication is not None
    communicating.communication_answer(
        actor=world.users["principal_a"],
        communication=communication,
        answered_on=today(),
        answer="Vi anser att hon behöver särskilt stöd.",
        today=today(),
    )
    communicating.refuse_adverse_decision_without_communication(
        investigation=investigation, today=today()
    )


@pytest.mark.django_db
def test_recording_a_communication_is_attributed_and_logged(world: World) -> None:
    investigation = b.investigation(world, needed=False)
    communication = communicating.communication_record(
        actor=world.users["principal_a"],
        investigation=investigation,
        values=SENT_INPUT,
        today=today(),
    )
    assert communication.created_by == world.users["principal_a"]
    assert communication.purpose == "no_programme"
    assert ChainEvent.objects.filter(record_id=communication.pk, verb="communication.sent").exists()
    logged = AccessEvent.objects.get(record_type="communication", action=AccessAction.CREATE)
    assert logged.record_id == str(communication.pk)
    assert logged.purpose == "communication.sent"


@pytest.mark.django_db
def test_a_communication_without_a_time_to_answer_is_refused_and_nothing_is_saved(
    world: World,
) -> None:
    investigation = b.investigation(world, needed=False)
    with refused("communication.no_time_to_answer"):
        communicating.communication_record(
            actor=world.users["principal_a"],
            investigation=investigation,
            values=CommunicationInput(
                sent_on=today(), recipients="Vårdnadshavare", material="Utredningen"
            ),
            today=today(),
        )
    assert not Communication.objects.exists()


@pytest.mark.django_db
def test_closing_a_programme_the_family_has_a_view_on_needs_communication(world: World) -> None:
    programme = b.concluded_programme(world)
    b.decide_programme(world, programme)  # closure concerns the programme in force
    programme.refresh_from_db()
    # Without a view from the family, closing is not adverse to a stated view.
    communicating.refuse_adverse_decision_without_communication(programme=programme, today=today())
    ParticipantView.objects.create(
        pupil=programme.pupil,
        author=world.users["guardian_x"],
        author_kind="guardian",
        programme=programme,
        text="Vi vill att programmet fortsätter.",
    )
    with refused("communication.missing"):
        communicating.refuse_adverse_decision_without_communication(
            programme=programme, today=today()
        )
    communicating.communication_record(
        actor=world.users["principal_a"],
        programme=programme,
        values=CommunicationInput(
            exception_ground=CommunicationException.NOT_ADVERSE,
            exception_reason="Vårdnadshavarna har vid mötet sagt att de är nöjda.",
        ),
        today=today(),
    )
    communicating.refuse_adverse_decision_without_communication(programme=programme, today=today())


def test_a_communication_is_only_recorded_while_the_decision_is_still_to_be_made() -> None:
    assert _rule(
        may_record_communication(
            decision_pending=False,
            sent_on=DAY,
            recipients="Vårdnadshavarna",
            material="Utredningen",
            answer_by=DAY + timedelta(days=7),
            exception_ground="",
            exception_reason="",
            today=DAY,
        )
    ) == ("communication.nothing_to_decide")


def test_an_answer_with_no_communication_sent_is_refused(world: World) -> None:
    with refused("communication.nothing_to_answer"):
        communicating.communication_answer(
            actor=world.users["principal_a"],
            communication=None,
            answered_on=today(),
            answer="Svar utan underlag.",
            today=today(),
        )
