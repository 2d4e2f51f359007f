"""The page and API v1 give the same answer to "may I see this support record?".

For every support record kind, every signed-in persona of tests/world.py (each one a relation to
the pupils x, y and z, or none) opens the record's page (the `support:` URL names) and its API
detail (`api:get_*`): both 200 or both 404. The records are those the authorization matrix reads
(tests/matrix_rows: one first half of the chain and one programme chain per pupil), plus a report
whose investigator is only the pupil's teacher, the case where the pages and the API once
disagreed: the investigators of the investigation opened on a report are participants in it
(elevstod.access.records).

The world and the records are built once for the module, inside a transaction rolled back at its
end (tests/scoped_data.py), as tests/test_authorization_matrix.py does.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from elevstod.support import services
from elevstod.support import workflow as wf
from tests.matrix_rows import chain, programme
from tests.matrix_rows.chain import first_half_for
from tests.matrix_rows.programme import chain_for
from tests.scoped_data import kept_for_scope
from tests.world import PERSONAS, World, build_world

SIGNED_IN = [persona for persona in PERSONAS if persona != "anonymous"]
PUPILS = ("x", "y", "z")

# The first half of the chain per pupil (tests/matrix_rows/chain.py), then the programme chain
# (tests/matrix_rows/programme.py). A record's page is `support:<kind>_detail`, its API detail
# `api:get_<kind>` (the programme's is `api:get_action_programme`); both take `<kind>_id`.
FIRST_HALF = ("concern", "adaptation", "referral", "investigation")
SECOND_HALF = ("decision", "programme", "follow_up", "appeal")
KINDS = FIRST_HALF + SECOND_HALF
API_NAMES = {"programme": "action_programme"}


def _record_of(world: World, kind: str, key: str) -> Any:
    built = first_half_for(world, key) if kind in FIRST_HALF else chain_for(world, key)
    return getattr(built, kind)


def _teacher_investigates(world: World) -> dict[str, Any]:
    """A report on x by the mentor, investigated by teacher_a alone, whose only relation to x
    is teaching: a participant in the report and the investigation, nothing more."""
    users, today = world.users, timezone.localdate()
    referral = services.referral_create(
        actor=users["mentor_a"],
        pupil=world.pupils["x"],
        school_unit_id=world.units["a"].pk,
        ground=wf.ReferralGround.OTHER_DIFFICULTIES,
        description="Läraren ser att eleven tappar i matematik.",
        today=today,
    )
    services.referral_receive(actor=users["principal_a"], referral=referral, today=today)
    investigation = services.investigation_open(
        actor=users["principal_a"],
        referral=referral,
        investigator_ids=[users["teacher_a"].pk],
        target_on=today + timedelta(days=30),
        today=today,
    )
    return {"referral": referral, "investigation": investigation}


@dataclass
class Scope:
    world: World
    sessions: dict[str, str]
    records: dict[str, list[tuple[str, object]]]  # kind → (label, id)

    def client(self, persona: str) -> Client:
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[persona]
        return client


def _records(world: World) -> dict[str, list[tuple[str, object]]]:
    found = {kind: [(key, _record_of(world, kind, key).pk) for key in PUPILS] for kind in KINDS}
    # The family never sees a programme draft (process.md §4): the revision of x's programme.
    found["programme"].append(("x-draft", chain_for(world, "x").draft.pk))
    extra = _teacher_investigates(world)
    for kind in ("referral", "investigation"):
        found[kind].append(("x-teacher-investigates", extra[kind].pk))
    return found


@pytest.fixture(scope="module")
def scope(django_db_setup, django_db_blocker) -> Iterator[Scope]:  # type: ignore[no-untyped-def]
    with kept_for_scope(django_db_blocker):
        world = build_world()
        chain.prepare(world)
        programme.prepare(world)
        records = _records(world)
        sessions = {
            persona: world.client_for(persona).cookies[settings.SESSION_COOKIE_NAME].value
            for persona in SIGNED_IN
        }
        yield Scope(world=world, sessions=sessions, records=records)


@pytest.fixture
def signed_in(scope: Scope, db) -> Scope:  # type: ignore[no-untyped-def]
    """The module's world, each test in a savepoint of its transaction (the reads log rows)."""
    return scope


def _answers(scope: Scope, kind: str, record_id: object, persona: str) -> tuple[int, int]:
    """The status of the record's page and of its API detail, for the persona."""
    kwargs = {f"{kind}_id": record_id}
    client = scope.client(persona)
    return (
        client.get(reverse(f"support:{kind}_detail", kwargs=kwargs)).status_code,
        client.get(reverse(f"api:get_{API_NAMES.get(kind, kind)}", kwargs=kwargs)).status_code,
    )


@pytest.mark.parametrize("kind", KINDS)
def test_the_page_and_the_api_agree_for_every_relation(signed_in: Scope, kind: str) -> None:
    disagreements, allowed, denied = [], 0, 0
    for label, record_id in signed_in.records[kind]:
        for persona in SIGNED_IN:
            page, api = _answers(signed_in, kind, record_id, persona)
            if {page, api} - {200, 404} or (page == 200) != (api == 200):
                disagreements.append(f"{persona} on {label}: page {page}, API {api}")
            allowed += page == api == 200
            denied += page == api == 404
    assert disagreements == []
    # The comparison can fail both ways: someone is let in and someone is kept out.
    assert allowed, "nobody may open any of them"
    assert denied, "everybody may open all of them"


@pytest.mark.parametrize("kind", ["referral", "investigation"])
def test_an_investigator_who_only_teaches_the_pupil_sees_the_report_and_the_investigation(
    signed_in: Scope, kind: str
) -> None:
    record_id = dict(signed_in.records[kind])["x-teacher-investigates"]
    assert _answers(signed_in, kind, record_id, "teacher_a") == (200, 200)
    # Teaching alone does not reach a report or an investigation (policy.SUPPORT_VIEWERS).
    first = dict(signed_in.records[kind])["x"]
    assert _answers(signed_in, kind, first, "teacher_a") == (404, 404)
