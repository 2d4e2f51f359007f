"""The action programme: drafted from the investigation, edited whole while a draft, copied into
a revision (SL 3 kap. 9 §; process.md §1, §2.4). Deciding it is in services.decisions."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction

from elevstod.accounts.models import User
from elevstod.organisation.selectors import term_last_days_for_unit
from elevstod.support import workflow as wf
from elevstod.support.models import (
    MEASURE_FIELDS,
    ActionProgramme,
    Investigation,
    ProgrammeMeasure,
    ProgrammeNeed,
)
from elevstod.support.services._recording import (
    created,
    following,
    record,
    refuse_unless,
    save_versioned,
)
from elevstod.support.services.drafts import draft_discard
from elevstod.support.workflow.programmes import Term, TermDates

# What a revision starts from: the programme in force, but for its number, state and decision.
REVISION_COPIES = (
    "referral_id",
    "investigation_id",
    "pupil_id",
    "school_unit_id",
    "pupil_view",
    "guardian_view",
    "follow_up_on",
    "follow_up_responsible_id",
    "evaluation_on",
    "evaluation_responsible_id",
    "valid_until",
)


@dataclass(frozen=True)
class NeedInput:
    key: str  # an existing need's id, or a new key the measures refer to
    category: str
    description: str


@dataclass(frozen=True)
class MeasureInput:
    need_key: str
    description: str
    responsible_id: uuid.UUID | None
    extent: str
    setting: str = wf.MeasureSetting.OWN_GROUP
    special_reasons: str = ""
    location: str = ""
    deviations: str = ""
    return_plan: str = ""
    starts_on: date | None = None
    ends_on: date | None = None


def programme_draft_from_investigation(
    *, actor: User, investigation: Investigation, today: date, channel: str = "web"
) -> ActionProgramme:
    """The programme the concluded assessment calls for, with the needs found carried over.
    One draft per case: a second conclusion finds the first draft."""
    existing = ActionProgramme.objects.filter(
        referral_id=investigation.referral_id, state=wf.ProgrammeState.DRAFT
    ).first()
    if existing is not None:
        return existing
    programme = created(
        actor,
        ActionProgramme,
        "programme.drafted",
        today,
        channel,
        referral_id=investigation.referral_id,
        investigation=investigation,
        **following(investigation),
        pupil_view=investigation.pupil_view,
        guardian_view=investigation.guardian_view,
    )
    ProgrammeNeed.objects.bulk_create(
        ProgrammeNeed(
            programme=programme,
            source=need,
            category=need.category,
            description=need.description,
            position=need.position,
        )
        for need in investigation.needs.all()
    )
    return programme


def programme_save(
    *,
    actor: User,
    programme: ActionProgramme,
    expected_version: int,
    values: dict[str, Any],
    needs: Sequence[NeedInput],
    measures: Sequence[MeasureInput],
    today: date,
    channel: str = "web",
) -> None:
    """Save a draft programme whole: its fields, needs and measures, guarded by its version."""
    refuse_unless(wf.may_edit_programme(wf.ProgrammeState(programme.state)))
    needs = [need for need in needs if need.description.strip()]
    measures = [measure for measure in measures if measure.description.strip()]
    _refuse_measures_without_need(needs, measures, today)
    with transaction.atomic():
        save_versioned(programme, expected_version=expected_version, values=values, actor=actor)
        _replace_content(programme, needs, measures)
        draft_discard(user=actor, record_type=ActionProgramme.RECORD_TYPE, record_id=programme.pk)
        record(actor, programme, "programme.saved", today, channel)


def _refuse_measures_without_need(
    needs: Sequence[NeedInput], measures: Sequence[MeasureInput], today: date
) -> None:
    """Every measure belongs to one of the programme's needs (SL 3 kap. 9 §)."""
    keys = {need.key for need in needs}
    if any(measure.need_key not in keys for measure in measures):
        orphan = wf.MeasureFacts(
            has_need=False,
            has_responsible=True,
            setting=wf.MeasureSetting.OWN_GROUP,
            starts_on=None,
            ends_on=None,
            has_special_reasons=True,
        )
        refuse_unless(wf.measure_outcome(orphan, today))


def _replace_content(
    programme: ActionProgramme, needs: Sequence[NeedInput], measures: Sequence[MeasureInput]
) -> None:
    """The needs and measures as sent, in their order. A need keeps the investigation need it
    came from, so that the programme still shows what the investigation found."""
    programme.measures.all().delete()
    sources = dict(programme.needs.values_list("pk", "source_id"))
    programme.needs.all().delete()
    created = {
        need.key: _new_need(programme, need, _source_of(need.key, sources), position)
        for position, need in enumerate(needs)
    }
    _create_measures(
        programme, ((created[m.need_key], m, position) for position, m in enumerate(measures))
    )


def _source_of(key: str, sources: Mapping[uuid.UUID, uuid.UUID | None]) -> uuid.UUID | None:
    try:
        return sources.get(uuid.UUID(key))
    except ValueError:
        return None


def _new_need(
    programme: ActionProgramme,
    need: NeedInput | ProgrammeNeed,
    source_id: uuid.UUID | None,
    position: int,
) -> ProgrammeNeed:
    return ProgrammeNeed.objects.create(
        programme=programme,
        source_id=source_id,
        category=need.category,
        description=need.description,
        position=position,
    )


def _create_measures(
    programme: ActionProgramme,
    measures: Iterable[tuple[ProgrammeNeed, MeasureInput | ProgrammeMeasure, int]],
) -> None:
    ProgrammeMeasure.objects.bulk_create(
        ProgrammeMeasure(
            programme=programme,
            need=need,
            position=position,
            responsible_id=measure.responsible_id,
            **{name: getattr(measure, name) for name in MEASURE_FIELDS},
        )
        for need, measure, position in measures
    )


def term_dates_for_unit(school_unit_id: uuid.UUID) -> TermDates:
    """The unit's term dates (its own, else its huvudman's, else the defaults; decision 0015):
    the terms a decision on distance teaching is measured against (SL 3 kap. 11 a §)."""
    rows = term_last_days_for_unit(school_unit_id)
    return TermDates(tuple((year, Term(term), last) for year, term, last in rows))


def programme_facts(programme: ActionProgramme, statement_of_reasons: str) -> wf.ProgrammeFacts:
    needs = list(programme.needs.all())
    need_ids = {need.pk for need in needs}
    terms = term_dates_for_unit(programme.school_unit_id)
    return wf.ProgrammeFacts(
        needs=len(needs),
        measures=tuple(
            wf.MeasureFacts(
                has_need=measure.need_id in need_ids,
                has_responsible=measure.responsible_id is not None,
                setting=wf.MeasureSetting(measure.setting),
                starts_on=measure.starts_on,
                ends_on=measure.ends_on,
                has_special_reasons=bool(measure.special_reasons.strip()),
                terms=terms,
            )
            for measure in programme.measures.all()
        ),
        follow_up_on=programme.follow_up_on,
        follow_up_responsible=programme.follow_up_responsible_id is not None,
        evaluation_on=programme.evaluation_on,
        evaluation_responsible=programme.evaluation_responsible_id is not None,
        participation_offered=programme.pupil_participation_offered
        and programme.guardian_participation_offered,
        statement_of_reasons=statement_of_reasons,
    )


def programme_start_revision(
    *, actor: User, programme: ActionProgramme, reason: str, today: date, channel: str = "web"
) -> ActionProgramme:
    """A revision is a new draft copied from the programme in force; it takes effect only
    through a new decision, with a new right to appeal (process.md §1, S7→S5b)."""
    refuse_unless(
        wf.may_act_on_programme(wf.ProgrammeState(programme.state), wf.ProgrammeStep.REVISE)
    )
    existing = ActionProgramme.objects.filter(previous=programme).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        draft = created(
            actor,
            ActionProgramme,
            "programme.revision_started",
            today,
            channel,
            number=programme.number + 1,
            previous=programme,
            revision_reason=reason,
            **{name: getattr(programme, name) for name in REVISION_COPIES},
        )
        copies = {
            need.pk: _new_need(draft, need, need.source_id, need.position)
            for need in programme.needs.all()
        }
        _create_measures(
            draft,
            ((copies[m.need_id], m, m.position) for m in programme.measures.all()),
        )
    return draft
