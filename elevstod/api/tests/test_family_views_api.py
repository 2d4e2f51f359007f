"""API v1: the family's own views on a programme, decision or follow-up, and the teaching part
that a teacher who is only a teacher gets of a programme and a follow-up (process.md §4; issue
item 10). The chain is x's from tests/matrix_rows/programme.py: teacher_a carries out its measure.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from elevstod.audit.models import AccessEvent, AccessOutcome
from elevstod.support import services
from elevstod.support.models import ActionProgramme, ChainEvent, ParticipantView, RecipientKind
from elevstod.support.tests import builders
from elevstod.support.tests.builders import today as _today
from tests.matrix_rows.programme import Chain, chain_for
from tests.world import World

pytestmark = pytest.mark.django_db

PUPIL_VIEW = "ELEVSYN: jag vill läsa tyst."
FAMILY_OWN_VIEW = "EGENSYN: läsfixaren hjälper."
SUMMARY = "Eleven läser mer självständigt."


def _post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


@pytest.fixture
def chain(world: World) -> Chain:
    chain = chain_for(world, "x")
    # Test set-up only: the programme in force is locked for the services (decision 0006).
    ActionProgramme.objects.filter(pk=chain.programme.pk).update(pupil_view=PUPIL_VIEW)
    for record in ({"programme": chain.programme}, {"follow_up": chain.follow_up}):
        services.participant_view_add(
            actor=world.users["guardian_x"],
            pupil=world.pupils["x"],
            author_kind=RecipientKind.GUARDIAN,
            text=FAMILY_OWN_VIEW,
            today=_today(),
            **record,
        )
    return chain


# ----------------------------------------------------------------------------- teaching part


def _teaching_part(world: World, path: str, hidden: tuple[str, ...]) -> Any:
    """What teacher_a, who only teaches the pupil, gets at `path`: the teaching part, with
    each of `hidden` left out (None)."""
    body = world.client_for("teacher_a").get(path).json()
    assert body["scope"] == "teaching_part"
    for name in hidden:
        assert body[name] is None, name
    return body


def test_teacher_gets_the_teaching_part_of_a_programme(world: World, chain: Chain) -> None:
    path = f"/api/v1/action-programmes/{chain.programme.pk}/"
    hidden = (
        "pupil_view",
        "guardian_view",
        "pupil_participation_offered",
        "guardian_participation_offered",
        "revision_reason",
        "participant_views",
    )
    body = _teaching_part(world, path, hidden)
    assert [m["mine"] for m in body["measures"]] == [True]
    assert body["needs"][0]["description"] == "Stöd i läsförståelse"
    assert body["follow_up_on"] == chain.programme.follow_up_on.isoformat()
    raw = json.dumps(body, ensure_ascii=False)
    assert PUPIL_VIEW not in raw
    assert FAMILY_OWN_VIEW not in raw


def test_case_team_gets_the_whole_programme_with_the_familys_views(
    world: World, chain: Chain
) -> None:
    path = f"/api/v1/action-programmes/{chain.programme.pk}/"
    body = world.client_for("mentor_a").get(path).json()
    assert body["scope"] == "whole"
    assert body["pupil_view"] == PUPIL_VIEW
    assert [v["text"] for v in body["participant_views"]] == [FAMILY_OWN_VIEW]
    assert body["participant_views"][0]["author_kind"] == "guardian"
    assert [m["mine"] for m in body["measures"]] == [False]


def test_teacher_gets_the_teaching_part_of_a_follow_up(world: World, chain: Chain) -> None:
    path = f"/api/v1/follow-ups/{chain.follow_up.pk}/"
    hidden = (
        "participants",
        "pupil_invited",
        "guardian_invited",
        "pupil_view",
        "guardian_view",
        "summary",
        "participant_views",
    )
    body = _teaching_part(world, path, hidden)
    assert len(body["reviews"]) == 1
    whole = world.client_for("special_educator_a").get(path).json()
    assert whole["scope"] == "whole"
    assert whole["summary"] == SUMMARY
    assert [v["text"] for v in whole["participant_views"]] == [FAMILY_OWN_VIEW]


def test_teacher_keeps_the_voices_of_a_follow_up_they_recorded(world: World, chain: Chain) -> None:
    programme = ActionProgramme.objects.get(pk=chain.programme.pk)
    own = builders.follow_up(
        world, programme, persona="teacher_a", values={"summary": "Lärarens egen sammanfattning."}
    )
    body = world.client_for("teacher_a").get(f"/api/v1/follow-ups/{own.pk}/").json()
    assert body["scope"] == "teaching_part"
    assert body["summary"] == "Lärarens egen sammanfattning."
    assert body["participant_views"] is None


def test_teacher_gets_no_programme_pdf(world: World, chain: Chain) -> None:
    path = f"/api/v1/action-programmes/{chain.programme.pk}/pdf"
    assert world.client_for("teacher_a").get(path).status_code == 404
    assert AccessEvent.objects.filter(
        actor=world.users["teacher_a"],
        record_id=str(chain.programme.pk),
        outcome=AccessOutcome.DENIED,
        channel="api",
    ).exists()


# ----------------------------------------------------------------------------- adding views


@pytest.mark.parametrize(
    ("resource", "record", "field"),
    [
        ("action-programmes", "programme", "programme"),
        ("decisions", "decision", "decision"),
        ("follow-ups", "follow_up", "follow_up"),
    ],
)
def test_family_adds_their_view(
    world: World, chain: Chain, resource: str, record: str, field: str
) -> None:
    target = getattr(chain, record)
    path = f"/api/v1/{resource}/{target.pk}/views"
    response = _post(world.client_for("pupil_x"), path, {"text": "Jag vill ha mer tid."})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["author_kind"] == "pupil"
    assert body["text"] == "Jag vill ha mer tid."
    view = ParticipantView.objects.get(pk=body["id"])
    assert getattr(view, f"{field}_id") == target.pk
    assert ChainEvent.objects.filter(verb="view.added", record_id=target.pk).exists()
    guardian = _post(world.client_for("guardian_x"), path, {"text": "Vi håller med."})
    assert guardian.status_code == 201
    assert guardian.json()["author_kind"] == "guardian"


def test_decision_detail_shows_the_familys_views(world: World, chain: Chain) -> None:
    path = f"/api/v1/decisions/{chain.decision.pk}/"
    _post(world.client_for("guardian_x"), f"{path}views", {"text": "Vi vill börja nu."})
    body = world.client_for("principal_a").get(path).json()
    assert [v["text"] for v in body["participant_views"]] == ["Vi vill börja nu."]


def test_staff_who_see_the_record_get_403_and_a_logged_refusal(world: World, chain: Chain) -> None:
    path = f"/api/v1/decisions/{chain.decision.pk}/views"
    response = _post(world.client_for("principal_a"), path, {"text": "Inte familjen."})
    assert response.status_code == 403
    assert response.json()["code"] == "act.family_adds_own_view"
    assert response.json()["paragraph"] == "3 kap. 9 § skollagen"
    assert AccessEvent.objects.filter(
        actor=world.users["principal_a"],
        record_id=str(chain.decision.pk),
        outcome=AccessOutcome.DENIED,
        purpose="api_add_own_view",
    ).exists()
    assert not ParticipantView.objects.filter(text="Inte familjen.").exists()


def test_others_get_404_and_anonymous_401(world: World, chain: Chain) -> None:
    path = f"/api/v1/follow-ups/{chain.follow_up.pk}/views"
    for persona in ("guardian_y", "teacher_b", "guardian_x_no_custody"):
        assert _post(world.client_for(persona), path, {"text": "Hej"}).status_code == 404
    assert _post(Client(), path, {"text": "Hej"}).status_code == 401
    # A draft is not the family's to see, so not to comment on either.
    draft = f"/api/v1/action-programmes/{chain.draft.pk}/views"
    assert _post(world.client_for("guardian_x"), draft, {"text": "Hej"}).status_code == 404


def test_an_empty_view_is_422_in_swedish(world: World, chain: Chain) -> None:
    path = f"/api/v1/decisions/{chain.decision.pk}/views"
    response = _post(world.client_for("guardian_x"), path, {"text": "   "})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "text"
    assert not ParticipantView.objects.filter(decision=chain.decision).exists()


@pytest.mark.parametrize("resource", ["action-programmes", "decisions", "follow-ups"])
def test_detail_query_count_does_not_grow_with_views(
    world: World, chain: Chain, resource: str, django_assert_num_queries: Any
) -> None:
    record = {
        "action-programmes": chain.programme,
        "decisions": chain.decision,
        "follow-ups": chain.follow_up,
    }[resource]
    client = world.client_for("principal_a")
    path = f"/api/v1/{resource}/{record.pk}/"
    client.get(path)  # the first request of a session does its own one-off work
    with CaptureQueriesContext(connection) as one:
        assert client.get(path).status_code == 200
    # Read now: the requests below reset the connection's query log that `one` slices.
    count = len(one.captured_queries)
    assert count > 0
    family = world.client_for("guardian_x")
    for index in range(12):
        assert _post(family, f"{path}views", {"text": f"Synpunkt {index}"}).status_code == 201
    with django_assert_num_queries(count):
        body = client.get(path).json()
    assert len(body["participant_views"]) >= 12
