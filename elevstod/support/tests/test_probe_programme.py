"""The programme's reads: the door's programme row, the selectors (what they return, in how many
queries) and the version diff."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from elevstod.access.records import PROGRAMMES, is_participant
from elevstod.support import staff
from elevstod.support import workflow as wf
from elevstod.support.selectors import programmes as s
from tests.matrix_rows.programme import chain_for
from tests.world import World

pytestmark = pytest.mark.django_db


def test_programme_row_carries_its_decision_and_participant_flag(
    world: World, django_assert_num_queries: Any
) -> None:
    chain = chain_for(world, "x")
    row = PROGRAMMES.records(world.users["teacher_a"].pk).get(pk=chain.programme.pk)
    with django_assert_num_queries(0):  # all of it read with the row
        assert row.adoption_id == chain.decision.pk
        assert row.adopted_on == chain.decision.decided_on
        assert row.closure_id is None
        assert is_participant(row)  # teacher_a is responsible for the measure
        assert row.next_version.pk == chain.draft.pk
    other = PROGRAMMES.records(world.users["mentor_a"].pk).get(pk=chain.programme.pk)
    assert not is_participant(other)


def test_content_history_and_versions_are_one_query_each(
    world: World, django_assert_num_queries: Any
) -> None:
    chain = chain_for(world, "x")
    with django_assert_num_queries(1):
        content = s.programme_content(chain.programme.pk)
    assert [need.description for need in content] == ["Stöd i läsförståelse"]
    assert [m.description for m in s.measures_of(content)] == ["Läsfixare två gånger i veckan"]
    with django_assert_num_queries(1):
        history = s.programme_history(chain.programme.pk)
    assert [entry.kind for entry in history] == [wf.FollowUpKind.EVALUATION]
    with django_assert_num_queries(1):
        versions = s.programme_versions(chain.programme.referral_id, with_drafts=False)
    assert [v.number for v in versions] == [1]
    assert [
        v.number for v in s.programme_versions(chain.programme.referral_id, with_drafts=True)
    ] == [
        1,
        2,
    ]


def test_decision_makers_are_the_principal_and_covering_delegates(world: World) -> None:
    today = world.delegation.valid_from
    makers = staff.decision_makers(world.units["a"].pk, wf.DecisionKind.NO_ACTION_PROGRAMME, today)
    assert [(m.name, m.is_principal) for m in makers] == [
        (world.users["principal_a"].display_name, True),
        (world.users["special_educator_a"].display_name, False),
    ]
    # The delegation covers "no programme" only.
    programme = staff.decision_makers(world.units["a"].pk, wf.DecisionKind.ACTION_PROGRAMME, today)
    assert [m.is_principal for m in programme] == [True]


def _measure(need: uuid.UUID, text: str, extent: str = "1 lektion") -> s.MeasureRow:
    return s.MeasureRow(
        id=uuid.uuid4(),
        need_id=need,
        description=text,
        responsible_id=uuid.uuid4(),
        responsible_name="Ansvarig",
        extent=extent,
        setting=wf.MeasureSetting.OWN_GROUP,
        special_reasons="",
        location="",
        deviations="",
        return_plan="",
        starts_on=None,
        ends_on=None,
    )


def _need(text: str, *measures: tuple[str, str], source: uuid.UUID | None = None) -> s.NeedRow:
    need = s.NeedRow(uuid.uuid4(), wf.NeedCategory.READING_WRITING, text, source)
    need.measures = [_measure(need.id, m, extent) for m, extent in measures]
    return need


def test_diff_pairs_needs_and_measures() -> None:
    source = uuid.uuid4()
    before = [
        _need("Läsa", ("Läsfixare", "2 lektioner"), ("Ljudbok", "alltid"), source=source),
        _need("Skriva", ("Tangentbord", "alltid")),
    ]
    after = [
        _need("Läsa längre texter", ("Läsfixare", "3 lektioner"), source=source),
        _need("Räkna", ("Mattestuga", "lunch")),
    ]
    diff = s.programme_diff(before, after)
    assert [(d.status, d.current.description) for d in diff] == [
        ("changed", "Läsa längre texter"),
        ("added", "Räkna"),
        ("removed", "Skriva"),
    ]
    reading = diff[0]
    assert [(c.before, c.after) for c in reading.changes] == [("Läsa", "Läsa längre texter")]
    assert [(m.status, m.current.description) for m in reading.measures] == [
        ("changed", "Läsfixare"),
        ("removed", "Ljudbok"),
    ]
    assert [(c.before, c.after) for c in reading.measures[0].changes] == [
        ("2 lektioner", "3 lektioner")
    ]
    assert [m.status for m in diff[1].measures] == ["added"]
    assert [m.status for m in diff[2].measures] == ["removed"]
    assert s.programme_diff(before, before)[0].status == "unchanged"
