"""What teachers and the family see and may add (process.md §4; issue item 10).

- A teacher whose only relation to the pupil is teaching sees the teaching part of a programme
  and a follow-up: the needs, the measures (their own first and marked), the dates and their own
  work; never the family's views, the participation notes, the history or the version diff.
- The pupil and a guardian may add their own view on a decision and a follow-up, not only on a
  programme; staff see it as the family's views.
- The family gets a plain-Swedish explanation of a decision and a follow-up before the formal
  text, and sees the concerns they told the school themselves on the support page.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from elevstod.audit.models import AccessAction, AccessEvent, AccessOutcome
from elevstod.support import services
from elevstod.support import workflow as wf
from elevstod.support.models import (
    ActionProgramme,
    ChainEvent,
    Concern,
    ParticipantView,
    RaisedBy,
    RecipientKind,
)
from elevstod.support.tests import builders
from elevstod.support.tests.builders import today as _today
from tests.matrix_rows.programme import Chain, chain_for
from tests.world import World

pytestmark = pytest.mark.django_db

PUPIL_VIEW = "ELEVSYN: jag vill läsa tyst."
GUARDIAN_VIEW = "VHSYN: läxorna tar för lång tid."
FAMILY_OWN_VIEW = "EGENSYN: läsfixaren hjälper."
SUMMARY = "Eleven läser mer självständigt."


def _text(response: Any) -> str:
    return response.content.decode()


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"support:{name}", kwargs=kwargs)


def _guardian_view(world: World, **record: Any) -> None:
    """The guardian's own view FAMILY_OWN_VIEW on one record (programme=, follow_up=)."""
    services.participant_view_add(
        actor=world.users["guardian_x"],
        pupil=world.pupils["x"],
        author_kind=RecipientKind.GUARDIAN,
        text=FAMILY_OWN_VIEW,
        today=_today(),
        **record,
    )


@pytest.fixture
def chain(world: World) -> Chain:
    """x's chain (teacher_a carries out the measure) with the family's voices filled in."""
    chain = chain_for(world, "x")
    # Test set-up only: the programme in force is locked for the services (decision 0006).
    ActionProgramme.objects.filter(pk=chain.programme.pk).update(
        pupil_view=PUPIL_VIEW, guardian_view=GUARDIAN_VIEW
    )
    _guardian_view(world, programme=chain.programme)
    return chain


def _teacher_follow_up(world: World, chain: Chain, summary: str) -> Any:
    """teacher_a, named on the measure, records a follow-up of their own."""
    programme = ActionProgramme.objects.get(pk=chain.programme.pk)
    values = {"summary": summary, "pupil_view": "Lärarens anteckning om elevens syn."}
    return builders.follow_up(world, programme, persona="teacher_a", values=values)


# ----------------------------------------------------------------------------- item 1: teachers


def test_teacher_sees_the_teaching_part_of_the_programme(world: World, chain: Chain) -> None:
    page = world.client_for("teacher_a").get(
        _url("programme_detail", programme_id=chain.programme.pk)
    )
    assert page.status_code == 200
    body = _text(page)
    assert "Din del av programmet" in body
    assert "Läsfixare två gånger i veckan" in body
    assert "Din åtgärd" in body  # their own measure is marked
    assert "Stöd i läsförståelse" in body  # the need
    # Not the family's voices, the participation notes, the history or the versions.
    for hidden in (PUPIL_VIEW, GUARDIAN_VIEW, FAMILY_OWN_VIEW, SUMMARY):
        assert hidden not in body
    assert "Eleven har erbjudits att delta" not in body
    assert "Versioner" not in body
    assert _url("programme_diff", programme_id=chain.programme.pk) not in body
    assert _url("programme_pdf", programme_id=chain.programme.pk) not in body
    # The follow-up dates are there.
    assert chain.programme.follow_up_on.isoformat() in body


def test_teachers_own_follow_up_is_listed_as_their_own_work(world: World, chain: Chain) -> None:
    own = _teacher_follow_up(world, chain, "Lärarens egen sammanfattning.")
    body = _text(
        world.client_for("teacher_a").get(_url("programme_detail", programme_id=chain.programme.pk))
    )
    assert _url("follow_up_detail", follow_up_id=own.pk) in body
    # The specialpedagog's evaluation is not the teacher's own work.
    assert _url("follow_up_detail", follow_up_id=chain.follow_up.pk) not in body


def test_mentor_sees_the_whole_programme(world: World, chain: Chain) -> None:
    body = _text(
        world.client_for("mentor_a").get(_url("programme_detail", programme_id=chain.programme.pk))
    )
    for shown in (PUPIL_VIEW, GUARDIAN_VIEW, FAMILY_OWN_VIEW, SUMMARY, "Versioner"):
        assert shown in body
    assert "Din del av programmet" not in body


@pytest.mark.parametrize(
    ("name", "kwarg", "record"),
    [
        ("programme_diff", "programme_id", "programme"),
        ("programme_pdf", "programme_id", "programme"),
        ("follow_up_pdf", "follow_up_id", "follow_up"),
    ],
)
def test_teacher_gets_no_diff_or_whole_record_pdf(
    world: World, chain: Chain, name: str, kwarg: str, record: str
) -> None:
    record_id = getattr(chain, record).pk
    assert world.client_for("teacher_a").get(_url(name, **{kwarg: record_id})).status_code == 404
    denied = AccessEvent.objects.filter(
        actor=world.users["teacher_a"], record_id=str(record_id), outcome=AccessOutcome.DENIED
    )
    assert denied.count() == 1
    assert world.client_for("mentor_a").get(_url(name, **{kwarg: record_id})).status_code == 200


def test_teacher_sees_the_teaching_part_of_a_follow_up(world: World, chain: Chain) -> None:
    _guardian_view(world, follow_up=chain.follow_up)
    url = _url("follow_up_detail", follow_up_id=chain.follow_up.pk)
    body = _text(world.client_for("teacher_a").get(url))
    assert "Läsfixare två gånger i veckan" in body
    assert "Din åtgärd" in body
    assert "Tydlig utveckling" in body  # the review of the measure
    for hidden in (SUMMARY, FAMILY_OWN_VIEW, "Eleven inbjuden", "Elevens syn"):
        assert hidden not in body
    assert _url("follow_up_pdf", follow_up_id=chain.follow_up.pk) not in body
    staff = _text(world.client_for("mentor_a").get(url))
    assert SUMMARY in staff
    assert FAMILY_OWN_VIEW in staff


def test_teacher_sees_the_follow_up_they_recorded_whole(world: World, chain: Chain) -> None:
    own = _teacher_follow_up(world, chain, "Lärarens egen sammanfattning.")
    body = _text(world.client_for("teacher_a").get(_url("follow_up_detail", follow_up_id=own.pk)))
    assert "Lärarens egen sammanfattning." in body
    assert "Lärarens anteckning om elevens syn." in body


# ----------------------------------------------------------------------------- item 2: views


def test_guardian_adds_a_view_on_a_decision_that_staff_see(world: World, chain: Chain) -> None:
    url = _url("decision_detail", decision_id=chain.decision.pk)
    guardian = world.client_for("guardian_x")
    assert "Lägg till din synpunkt" in _text(guardian.get(url))
    response = guardian.post(
        _url("decision_view_add", decision_id=chain.decision.pk),
        {"text": "Vi vill att stödet börjar nu."},
    )
    assert response.status_code == 302
    view = ParticipantView.objects.get(decision=chain.decision)
    assert view.author_kind == RecipientKind.GUARDIAN
    assert view.programme_id is None
    assert view.follow_up_id is None
    assert ChainEvent.objects.filter(verb="view.added", record_id=chain.decision.pk).count() == 1
    staff = _text(world.client_for("principal_a").get(url))
    assert "Familjens egna synpunkter" in staff
    assert "Vi vill att stödet börjar nu." in staff
    assert "Lägg till din synpunkt" not in staff


def test_staff_cannot_add_a_family_view(world: World, chain: Chain) -> None:
    for name, kwargs in (
        ("decision_view_add", {"decision_id": chain.decision.pk}),
        ("follow_up_view_add", {"follow_up_id": chain.follow_up.pk}),
        ("programme_view_add", {"programme_id": chain.programme.pk}),
    ):
        response = world.client_for("principal_a").post(
            _url(name, **kwargs), {"text": "Rektorn låtsas vara familjen."}
        )
        assert response.status_code == 404
    assert not ParticipantView.objects.filter(text="Rektorn låtsas vara familjen.").exists()


def test_an_empty_view_is_refused_with_the_rule_and_linked_to_the_field(
    world: World, chain: Chain
) -> None:
    response = world.client_for("pupil_x").post(
        _url("decision_view_add", decision_id=chain.decision.pk), {"text": "  "}
    )
    assert response.status_code == 200
    body = _text(response)
    assert "Skriv din synpunkt först." in body
    assert 'aria-describedby="refusal"' in body
    assert not ParticipantView.objects.filter(decision=chain.decision).exists()


def test_pupil_adds_a_view_on_a_follow_up(world: World, chain: Chain) -> None:
    url = _url("follow_up_detail", follow_up_id=chain.follow_up.pk)
    response = world.client_for("pupil_x").post(
        _url("follow_up_view_add", follow_up_id=chain.follow_up.pk),
        {"text": "Jag läser mer hemma nu."},
    )
    assert response.status_code == 302
    view = ParticipantView.objects.get(follow_up=chain.follow_up)
    assert view.author_kind == RecipientKind.PUPIL
    assert "Jag läser mer hemma nu." in _text(world.client_for("special_educator_a").get(url))
    assert "Jag läser mer hemma nu." not in _text(world.client_for("teacher_a").get(url))


def test_decision_page_query_count_does_not_grow_with_views(
    world: World, chain: Chain, django_assert_num_queries: Any
) -> None:
    client = world.client_for("principal_a")
    url = _url("decision_detail", decision_id=chain.decision.pk)
    _add_views(world, chain, count=1)
    client.get(url)  # the first request of a session does its own one-off work
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    count = len(one.captured_queries)
    assert count > 0
    _add_views(world, chain, count=15)
    with django_assert_num_queries(count):
        assert client.get(url).status_code == 200


def test_follow_up_page_query_count_does_not_grow_with_views(
    world: World, chain: Chain, django_assert_num_queries: Any
) -> None:
    client = world.client_for("mentor_a")
    url = _url("follow_up_detail", follow_up_id=chain.follow_up.pk)
    _add_views(world, chain, count=1, on="follow_up")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    count = len(one.captured_queries)
    assert count > 0
    _add_views(world, chain, count=15, on="follow_up")
    with django_assert_num_queries(count):
        assert client.get(url).status_code == 200


def _add_views(world: World, chain: Chain, *, count: int, on: str = "decision") -> None:
    record = {"decision": chain.decision, "follow_up": chain.follow_up}[on]
    for index in range(count):
        services.participant_view_add(
            actor=world.users["guardian_x" if index % 2 else "pupil_x"],
            pupil=world.pupils["x"],
            author_kind=RecipientKind.GUARDIAN if index % 2 else RecipientKind.PUPIL,
            text=f"Synpunkt {index}",
            today=_today(),
            **{on: record},
        )


# ----------------------------------------------------------------------------- item 3: plain


def test_decision_explained_in_plain_swedish_before_the_formal_text(
    world: World, chain: Chain
) -> None:
    url = _url("decision_detail", decision_id=chain.decision.pk)
    guardian = world.client_for("guardian_x")
    body = _text(guardian.get(url))
    pupil = world.pupils["x"]
    assert f"Rektorn har beslutat att {pupil.first_name} ska få särskilt stöd." in body
    assert "Bekräfta att du har tagit del av beslutet." in body
    assert "Skolväsendets överklagandenämnd" in body
    assert body.index("Vad beslutet betyder") < body.index("Motivering")
    own = chain.decision.services.get(
        recipient_kind=RecipientKind.GUARDIAN, guardian__user=world.users["guardian_x"]
    )
    guardian.post(
        _url("decision_confirm_receipt", decision_id=chain.decision.pk, service_id=own.pk)
    )
    own.refresh_from_db()
    body = _text(guardian.get(url))
    assert f"ska ha kommit in till skolan senast {own.appeal_deadline.isoformat()}" in body
    assert "Vad beslutet betyder" not in _text(world.client_for("principal_a").get(url))


def test_follow_up_explained_in_plain_swedish_for_the_family(world: World, chain: Chain) -> None:
    url = _url("follow_up_detail", follow_up_id=chain.follow_up.pk)
    body = _text(world.client_for("pupil_x").get(url))
    assert "bedömde skolan om stödet i åtgärdsprogrammet har hjälpt" in body
    assert "Stödet fortsätter som det är." in body
    assert body.index("Vad det här betyder") < body.index("Åtgärderna")
    assert "Vad det här betyder" not in _text(world.client_for("mentor_a").get(url))


# ----------------------------------------------------------------------------- item 4: concerns


def test_family_member_sees_only_the_concerns_they_raised(world: World) -> None:
    x = world.pupils["x"]
    guardian = world.client_for("guardian_x")
    response = guardian.post(
        _url("concern_create", pupil_id=x.pk),
        {"subject": "Läsning", "description": "GUARDIANORO: hon vill inte läsa hemma."},
    )
    assert response.status_code == 302
    assert Concern.objects.get(description__startswith="GUARDIANORO").raised_by_kind == (
        RaisedBy.GUARDIAN
    )
    for actor, kind, text in (
        ("mentor_a", RaisedBy.STAFF, "PERSONALORO: svårt med läsningen."),
        ("pupil_x", RaisedBy.PUPIL, "ELEVORO: jag hinner inte."),
    ):
        services.concern_create(
            actor=world.users[actor],
            pupil=x,
            school_unit_id=world.units["a"].pk,
            source=wf.ConcernSource.PUPIL_OR_GUARDIAN
            if kind != RaisedBy.STAFF
            else wf.ConcernSource.TEACHING,
            raised_by_kind=kind,
            description=text,
            today=_today(),
        )
    body = _text(guardian.get(_url("pupil_support", pupil_id=x.pk)))
    assert "Det du har berättat för skolan" in body
    assert "GUARDIANORO" in body
    assert "Skolan har tagit emot det" in body
    assert "PERSONALORO" not in body
    assert "ELEVORO" not in body  # the pupil's own, not the guardian's
    pupil_body = _text(world.client_for("pupil_x").get(_url("pupil_support", pupil_id=x.pk)))
    assert "ELEVORO" in pupil_body
    assert "GUARDIANORO" not in pupil_body
    assert "PERSONALORO" not in pupil_body
    assert "Det du har berättat för skolan" not in _text(
        world.client_for("mentor_a").get(_url("pupil_support", pupil_id=x.pk))
    )


def test_support_page_query_count_does_not_grow_with_own_concerns(
    world: World, django_assert_num_queries: Any
) -> None:
    x = world.pupils["x"]
    client = world.client_for("guardian_x")
    url = _url("pupil_support", pupil_id=x.pk)

    def concern(index: int) -> None:
        services.concern_create(
            actor=world.users["guardian_x"],
            pupil=x,
            school_unit_id=world.units["a"].pk,
            source=wf.ConcernSource.PUPIL_OR_GUARDIAN,
            raised_by_kind=RaisedBy.GUARDIAN,
            description=f"Oro nummer {index}",
            today=_today(),
        )

    concern(0)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert "Oro nummer 0" in _text(client.get(url))
    count = len(one.captured_queries)
    assert count > 0
    for index in range(1, 15):
        concern(index)
    with django_assert_num_queries(count):
        assert "Oro nummer 14" in _text(client.get(url))


def test_reading_the_teaching_part_is_logged_once(world: World, chain: Chain) -> None:
    before = AccessEvent.objects.filter(action=AccessAction.VIEW).count()
    world.client_for("teacher_a").get(_url("programme_detail", programme_id=chain.programme.pk))
    rows = AccessEvent.objects.filter(action=AccessAction.VIEW).order_by("-pk")
    assert rows.count() == before + 1
    first = rows.first()
    assert first is not None
    assert first.record_id == str(chain.programme.pk)


def test_the_chain_tells_a_teacher_nothing_of_the_familys_views(world: World, chain: Chain) -> None:
    """ "Hela kedjan" on the support page: the mentor sees that the guardian gave a view, the
    teacher who sees only the teaching part does not (process.md §4)."""
    x = world.pupils["x"]
    assert ChainEvent.objects.filter(pupil=x, verb="view.added").exists()
    mentor = _text(world.client_for("mentor_a").get(_url("pupil_support", pupil_id=x.pk)))
    teacher = _text(world.client_for("teacher_a").get(_url("pupil_support", pupil_id=x.pk)))
    assert "Hela kedjan" in teacher
    assert "Synpunkt lämnad" in mentor
    assert "Synpunkt lämnad" not in teacher
