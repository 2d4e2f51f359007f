"""Anyone the rektor has delegated a decision to decides it (SL 2 kap. 10 §: the rektor may
delegate to any employee at the unit), whatever their relation to the pupil; everyone else is
refused by the delegation rule itself, and the pages offer the decision only to those who may
make it."""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from elevstod.access.policy import Relation, SupportAct, can_act
from elevstod.organisation.models import Delegation
from elevstod.support import workflow as wf
from elevstod.support.models import ActionProgramme, Decision
from elevstod.support.tests import builders
from elevstod.support.tests.builders import today
from tests.world import World

pytestmark = pytest.mark.django_db

REASONS = {"statement_of_reasons": "Utredningen visar behov av stöd i läsförståelse."}
SL_2_10 = "2 kap. 10 § skollagen"


def _delegate(world: World, persona: str, decision_type: str = "action_programme") -> Delegation:
    """principal_a delegates `decision_type` at unit A to `persona`, in force today."""
    return Delegation.objects.create(
        school_unit=world.units["a"],
        delegated_by=world.users["principal_a"],
        delegate=world.users[persona],
        decision_type=decision_type,
        valid_from=today() - timedelta(days=1),
        valid_until=today() + timedelta(days=30),
    )


def _page(name: str, programme: ActionProgramme) -> str:
    return reverse(f"support:{name}", kwargs={"programme_id": programme.pk})


def _api_decide(client: Client, programme: ActionProgramme) -> Any:
    path = f"/api/v1/action-programmes/{programme.pk}/decision"
    return client.post(path, json.dumps(REASONS), content_type="application/json")


def test_every_staff_relation_reaches_the_decision_but_the_family_never_does() -> None:
    """Who may decide is the delegation register's answer, not the relation's; the jäv rule
    stays: staff who are the pupil's guardian never act for the school (FL 16 §)."""
    for relation in (Relation.MENTOR, Relation.TEACHER, Relation.PRINCIPAL):
        assert can_act(frozenset({relation}), SupportAct.DECIDE)
    assert not can_act(frozenset({Relation.GUARDIAN}), SupportAct.DECIDE)
    assert not can_act(frozenset({Relation.GUARDIAN, Relation.PRINCIPAL}), SupportAct.DECIDE)


def test_a_mentor_holding_a_delegation_decides_an_action_programme_on_the_page(
    world: World,
) -> None:
    programme = builders.concluded_programme(world)
    delegation = _delegate(world, "mentor_a")
    mentor = world.client_for("mentor_a")
    detail = mentor.get(_page("programme_detail", programme)).content.decode()
    assert _page("programme_decide", programme) in detail
    form = mentor.get(_page("programme_decide", programme)).content.decode()
    assert 'name="statement_of_reasons"' in form
    response = mentor.post(_page("programme_decide", programme), REASONS)
    decision = Decision.objects.get(programme=programme)
    assert response.status_code == 302
    assert (decision.decided_by, decision.delegation) == (world.users["mentor_a"], delegation)
    programme.refresh_from_db()
    assert programme.state == wf.ProgrammeState.IN_FORCE


def test_a_mentor_holding_a_delegation_decides_an_action_programme_through_the_api(
    world: World,
) -> None:
    programme = builders.concluded_programme(world)
    delegation = _delegate(world, "mentor_a")
    response = _api_decide(world.client_for("mentor_a"), programme)
    assert response.status_code == 201, response.content
    decision = Decision.objects.get(programme=programme)
    assert (decision.decided_by, decision.delegation) == (world.users["mentor_a"], delegation)


def test_a_mentor_without_delegation_is_refused_with_the_delegation_rule(world: World) -> None:
    """Refused by the workflow's delegation rule (SL 2 kap. 10 §), on the page and in the API;
    a delegation for another decision type does not count."""
    programme = builders.concluded_programme(world)
    _delegate(world, "mentor_a", decision_type="action_programme_closure")
    mentor = world.client_for("mentor_a")
    response = _api_decide(mentor, programme)
    assert response.status_code == 403
    assert response.json()["code"] == "decision.no_delegation"
    assert response.json()["paragraph"] == SL_2_10
    page = mentor.post(_page("programme_decide", programme), REASONS)
    assert page.status_code == 200
    assert "Du har ingen delegering som omfattar det här beslutet" in page.content.decode()
    assert SL_2_10 in page.content.decode()
    assert not Decision.objects.filter(programme=programme).exists()


def test_the_decision_button_is_not_offered_to_staff_who_may_not_decide(world: World) -> None:
    """The mentor and the kurator without a delegation see the draft but no way to decide it,
    and the decision page tells them the rule instead of showing the form; the rektor is
    offered both."""
    programme = builders.concluded_programme(world)
    decide = _page("programme_decide", programme)
    for persona in ("mentor_a", "counsellor_a"):
        client = world.client_for(persona)
        detail = client.get(_page("programme_detail", programme))
        assert detail.status_code == 200
        assert decide not in detail.content.decode(), persona
        assert decide not in client.get(_page("programme_edit", programme)).content.decode()
        form = client.get(decide)
        assert form.status_code == 200
        assert 'name="statement_of_reasons"' not in form.content.decode(), persona
        assert SL_2_10 in form.content.decode()
    principal = world.client_for("principal_a")
    assert decide in principal.get(_page("programme_detail", programme)).content.decode()
    assert 'name="statement_of_reasons"' in principal.get(decide).content.decode()


def test_a_teacher_who_sees_only_the_teaching_part_is_not_offered_the_decision_page(
    world: World,
) -> None:
    """The decision rests on the whole programme, which a teacher who only teaches the pupil
    does not see (process.md §4): no button and no page, even with a delegation."""
    programme = builders.concluded_programme(world)
    _delegate(world, "teacher_a")
    teacher = world.client_for("teacher_a")
    decide = _page("programme_decide", programme)
    assert decide not in teacher.get(_page("programme_detail", programme)).content.decode()
    assert teacher.get(decide).status_code == 404


def test_communicating_before_closing_is_refused_to_staff_who_may_not_decide(
    world: World,
) -> None:
    """The communication before the closing decision (FL 25 §) is the decision-maker's step:
    the mentor without a delegation is refused by the delegation rule, nothing recorded."""
    programme = builders.concluded_programme(world)
    assert _api_decide(world.client_for("principal_a"), programme).status_code == 201
    programme.refresh_from_db()
    assert programme.state == wf.ProgrammeState.IN_FORCE
    response = world.client_for("mentor_a").post(
        _page("programme_communicate", programme),
        {
            "sent_on": today().isoformat(),
            "recipients": "Eleven och vårdnadshavaren.",
            "material": "Utvärderingen och förslaget till beslut.",
            "answer_by": (today() + timedelta(days=14)).isoformat(),
        },
    )
    assert response.status_code == 409
    assert "Du har ingen delegering som omfattar det här beslutet" in response.content.decode()
    assert not programme.communications.exists()


def test_the_decision_after_the_investigation_is_offered_only_to_those_who_may_decide(
    world: World,
) -> None:
    """The mentor investigates the case but holds no delegation: no "Till beslut", no form and
    no communication form on the investigation; the rektor gets them."""
    investigation = builders.investigation(world, needed=False)
    builders.conclude(world, investigation)
    detail = reverse("support:investigation_detail", args=[investigation.pk])
    decide = reverse("support:decision_create", args=[investigation.pk])
    communicate = reverse("support:investigation_communicate", args=[investigation.pk])
    mentor = world.client_for("mentor_a")
    seen = mentor.get(detail).content.decode()
    assert decide not in seen
    assert communicate not in seen
    form = mentor.get(decide).content.decode()
    assert 'name="statement_of_reasons"' not in form
    assert SL_2_10 in form
    principal = world.client_for("principal_a")
    seen = principal.get(detail).content.decode()
    assert decide in seen
    assert communicate in seen
    assert 'name="statement_of_reasons"' in principal.get(decide).content.decode()
