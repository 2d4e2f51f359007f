"""The door to support records (elevstod.access.records): its list twin agrees with it, every
refusal is a logged 404, and the participant annotation cannot be read by mistake.

The records are the chains the authorization matrix reads (tests/matrix_rows), built once for
the module inside a transaction rolled back at its end (tests/scoped_data.py).
"""

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.http import Http404

from elevstod.access.context import UserContext, load_user_context
from elevstod.access.lookup import get_pupil_for
from elevstod.access.policy import SupportAct, SupportRecord
from elevstod.access.records import (
    PROGRAMMES,
    RECORDS,
    ActRefused,
    get_support_record_for,
    is_participant,
    support_records_visible_to,
)
from elevstod.access.tests.query_shapes import refused_shapes
from elevstod.audit.models import AccessEvent, AccessOutcome
from elevstod.support.models import Referral
from tests.matrix_rows import chain, programme
from tests.matrix_rows.programme import chain_for
from tests.scoped_data import kept_for_scope
from tests.world import PERSONAS, World, build_world


@pytest.fixture(scope="module")
def _chains(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    with kept_for_scope(django_db_blocker):
        world = build_world()
        chain.prepare(world)
        programme.prepare(world)
        yield world


@pytest.fixture
def chains(_chains: World, db: None) -> World:
    return _chains


def _ctx(world: World, persona: str) -> UserContext:
    return load_user_context(world.users[persona])


def _opens(ctx: UserContext, kind: SupportRecord, record_id: uuid.UUID) -> bool:
    try:
        get_support_record_for(ctx, kind, record_id)
    except Http404:
        return False
    return True


@pytest.mark.parametrize("kind", list(SupportRecord))
def test_the_list_twin_lists_exactly_the_records_the_door_opens(
    chains: World, kind: SupportRecord
) -> None:
    every = list(RECORDS[kind].model._default_manager.values_list("pk", flat=True))
    assert every
    mismatches = []
    for persona in (p for p in PERSONAS if p != "anonymous"):
        ctx = _ctx(chains, persona)
        listed = set(support_records_visible_to(ctx, kind).values_list("pk", flat=True))
        opened = {pk for pk in every if _opens(ctx, kind, pk)}
        if listed != opened:
            mismatches.append((persona, listed ^ opened))
    assert mismatches == []


def _last_event() -> AccessEvent:
    event = AccessEvent.objects.order_by("-pk").first()
    assert event is not None
    return event


def test_a_visible_record_the_user_may_not_act_on_is_refused_and_logged(chains: World) -> None:
    referral = chain_for(chains, "x").investigation.referral
    ctx = _ctx(chains, "mentor_a")  # sees x's report, may not receive it (SL 3 kap. 7 §)
    get_support_record_for(ctx, SupportRecord.REFERRAL, referral.pk)
    before = AccessEvent.objects.count()
    with pytest.raises(ActRefused) as refused:
        get_support_record_for(
            ctx, SupportRecord.REFERRAL, referral.pk, act=SupportAct.RECEIVE_REFERRAL
        )
    assert isinstance(refused.value, Http404)  # a page answers 404
    assert (refused.value.refusal.rule, refused.value.refusal.paragraph) == (
        "act.principal_receives_referral",
        "3 kap. 7 § skollagen",
    )
    assert AccessEvent.objects.count() == before + 1
    event = _last_event()
    assert (event.outcome, event.record_id, event.acting_role) == (
        AccessOutcome.DENIED,
        str(referral.pk),
        "mentor",
    )


@pytest.mark.parametrize("raw", [uuid.uuid4(), "inte-ett-id"])
def test_a_missing_record_or_a_bad_id_is_a_logged_404(chains: World, raw: object) -> None:
    with pytest.raises(Http404) as refused:
        get_support_record_for(_ctx(chains, "principal_a"), SupportRecord.APPEAL, str(raw))
    assert not isinstance(refused.value, ActRefused)
    event = _last_event()
    assert (event.outcome, event.record_type, event.record_id) == (
        AccessOutcome.DENIED,
        "appeal",
        str(raw),
    )


def test_a_whole_record_is_not_for_a_teacher_who_sees_only_the_teaching_part(
    chains: World,
) -> None:
    programme_id = chain_for(chains, "x").programme.pk
    teacher = _ctx(chains, "teacher_a")
    programme_in_force, _access = get_support_record_for(teacher, PROGRAMMES, programme_id)
    assert programme_in_force.pk == programme_id
    assert is_participant(programme_in_force)  # teacher_a is responsible for a measure
    with pytest.raises(Http404):
        get_support_record_for(teacher, PROGRAMMES, programme_id, whole_record=True)
    get_support_record_for(_ctx(chains, "principal_a"), PROGRAMMES, programme_id, whole_record=True)


def test_an_act_not_done_on_the_kind_is_a_programming_error(chains: World) -> None:
    appeal = chain_for(chains, "x").appeal
    with pytest.raises(ValueError, match="decide"):
        get_support_record_for(
            _ctx(chains, "principal_a"), SupportRecord.APPEAL, appeal.pk, act=SupportAct.DECIDE
        )


def test_the_participant_flag_of_a_record_loaded_elsewhere_cannot_be_read(chains: World) -> None:
    """Read through getattr(…, False), a missing annotation would silently deny."""
    referral = Referral.objects.get(pk=chain_for(chains, "x").investigation.referral_id)
    with pytest.raises(KeyError):
        is_participant(referral)


def test_each_kind_is_logged_under_the_name_the_policy_gives_it() -> None:
    """A change's timeline event and log row carry the model's RECORD_TYPE; the support page
    and the log review read it back as the policy's kind, so the two names must be one."""
    assert {entry.model.RECORD_TYPE: kind for kind, entry in RECORDS.items()} == {
        kind.value: kind for kind in SupportRecord
    }


@pytest.mark.parametrize("kind", list(SupportRecord))
def test_a_forbidden_and_a_missing_record_run_the_same_queries(
    chains: World, kind: SupportRecord
) -> None:
    """The answer's time must not tell a forbidden record from a missing one (security.md P5,
    issue 10 item 15): both paths run the same statements, values aside."""
    record = RECORDS[kind].model._default_manager.filter(pupil=chains.pupils["x"]).first()
    assert record is not None
    ctx = _ctx(chains, "teacher_b")  # unit B; pupil x is at unit A
    forbidden = refused_shapes(lambda: get_support_record_for(ctx, kind, record.pk))
    missing = refused_shapes(lambda: get_support_record_for(ctx, kind, uuid.uuid4()))
    assert forbidden == missing
    assert any("audit_accessevent" in statement for statement in forbidden)  # both logged


def test_a_forbidden_and_a_missing_pupil_run_the_same_queries(chains: World) -> None:
    ctx = _ctx(chains, "teacher_b")
    forbidden = refused_shapes(lambda: get_pupil_for(ctx, chains.pupils["x"].pk))
    missing = refused_shapes(lambda: get_pupil_for(ctx, uuid.uuid4()))
    assert forbidden == missing
    assert len(forbidden) == 4  # the pupil, their placements and groups, the log row
