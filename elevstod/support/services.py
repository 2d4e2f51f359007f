"""Every change to the support chain. The workflow decides; these functions carry it out.

Each service is keyword-only and atomic: it locks what it changes, asks elevstod.support.workflow,
saves, and writes the change's ChainEvent and access-log row in the same transaction (style.md,
"audit inside the transaction"). Callers pass objects already checked by elevstod.access and the
acting user; a refusal raises workflow.RefusalError, a concurrent edit raises EditConflictError.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Model
from django.utils import timezone, translation

from elevstod.accounts.models import User
from elevstod.audit.models import AccessAction
from elevstod.audit.recording import record_access
from elevstod.organisation.duties import UNIT_DUTY_LABELS, UnitDutyKind
from elevstod.organisation.models import Delegation, UnitDuty
from elevstod.organisation.services import delegations_covering
from elevstod.people.models import Guardian, Guardianship, Pupil
from elevstod.support import workflow as wf
from elevstod.support.calendar import days_off_around
from elevstod.support.labels import APPEAL_INSTRUCTIONS
from elevstod.support.models import (
    ActionProgramme,
    Adaptation,
    AdaptationEvaluation,
    Appeal,
    ChainEvent,
    Concern,
    Decision,
    DecisionService,
    Draft,
    FollowUp,
    Investigation,
    InvestigationNeed,
    MeasureReview,
    ParticipantView,
    ProgrammeMeasure,
    ProgrammeNeed,
    ProviderDeadlines,
    RaisedBy,
    RecipientKind,
    Referral,
    ReminderRun,
    ServiceMethod,
)


class EditConflictError(Exception):
    """Someone else saved the document since it was opened. Nothing was written.

    `theirs` holds the saved values, `mine` what this user typed: the form shows both (rule 7).
    """

    def __init__(self, *, theirs: dict[str, Any], mine: dict[str, Any], version: int) -> None:
        super().__init__("edit conflict")
        self.theirs = theirs
        self.mine = mine
        self.version = version


def _refuse_unless(outcome: wf.Outcome) -> None:
    if isinstance(outcome, wf.Refused):
        raise wf.RefusalError(outcome)


def _record(
    *,
    actor: User,
    record: Model,
    verb: str,
    record_type: str,
    on_date: date,
    channel: str = "web",
    action: AccessAction = AccessAction.UPDATE,
) -> None:
    """The attribution of one change: a timeline event and an access-log row, same transaction."""
    pupil_id = record.pupil_id  # type: ignore[attr-defined]
    unit_id = record.school_unit_id  # type: ignore[attr-defined]
    ChainEvent.objects.create(
        occurred_at=timezone.now(),
        on_date=on_date,
        pupil_id=pupil_id,
        school_unit_id=unit_id,
        actor=actor,
        verb=verb,
        record_type=record_type,
        record_id=record.pk,
    )
    record_access(
        actor_id=actor.pk,
        action=action,
        record_type=record_type,
        pupil_id=pupil_id,
        school_unit_id=unit_id,
        record_id=record.pk,
        purpose=verb,
        channel=channel,
    )


def _save_versioned(
    model: Any,
    record: Any,
    *,
    expected_version: int,
    values: dict[str, Any],
    actor: User | None = None,
) -> None:
    """Write `values` only if nobody saved since `expected_version`; otherwise EditConflictError."""
    extra: dict[str, Any] = {"version": F("version") + 1, "updated_at": timezone.now()}
    if actor is not None and hasattr(record, "updated_by_id"):
        extra["updated_by"] = actor
    updated = model.objects.filter(pk=record.pk, version=expected_version).update(**values, **extra)
    if updated == 0:
        current = model.objects.get(pk=record.pk)
        raise EditConflictError(
            theirs={name: getattr(current, name) for name in values},
            mine=values,
            version=current.version,  # type: ignore[attr-defined]
        )
    record.refresh_from_db()


def deadlines_for(provider_id: uuid.UUID) -> wf.DeadlineSettings:
    row = ProviderDeadlines.objects.filter(provider_id=provider_id).first()
    return row.as_settings() if row else wf.DEFAULT_DEADLINES


def deadlines_update(*, actor: User, provider_id: uuid.UUID, values: dict[str, int]) -> None:
    with transaction.atomic():
        ProviderDeadlines.objects.update_or_create(
            provider_id=provider_id, defaults={**values, "updated_by": actor}
        )


# ----------------------------------------------------------------------------- concerns


def concern_create(
    *,
    actor: User,
    pupil: Pupil,
    school_unit_id: uuid.UUID,
    source: str,
    description: str,
    subject: str = "",
    raised_by_kind: str = RaisedBy.STAFF,
    today: date,
    channel: str = "web",
) -> Concern:
    with transaction.atomic():
        concern = Concern.objects.create(
            pupil=pupil,
            school_unit_id=school_unit_id,
            created_by=actor,
            source=source,
            raised_by_kind=raised_by_kind,
            raised_on=today,
            subject=subject,
            description=description,
        )
        _record(
            actor=actor,
            record=concern,
            verb="concern.created",
            record_type="concern",
            on_date=today,
            channel=channel,
            action=AccessAction.CREATE,
        )
    return concern


def concern_close(*, actor: User, concern: Concern, reason: str, today: date) -> None:
    if concern.state != wf.ConcernState.OPEN:
        raise wf.RefusalError(
            wf.Refused("concern.not_open", wf.gettext_noop("Oron är redan omhändertagen."))
        )
    if not reason.strip():
        raise wf.RefusalError(
            wf.Refused(
                "concern.reason_missing", wf.gettext_noop("Ange varför inget mer behöver göras.")
            )
        )
    with transaction.atomic():
        Concern.objects.filter(pk=concern.pk).update(
            state=wf.ConcernState.CLOSED, closed_reason=reason, updated_at=timezone.now()
        )
        _record(
            actor=actor, record=concern, verb="concern.closed", record_type="concern", on_date=today
        )


# ----------------------------------------------------------------------------- adaptations


def adaptation_create(
    *,
    actor: User,
    pupil: Pupil,
    school_unit_id: uuid.UUID,
    values: dict[str, Any],
    today: date,
    concern: Concern | None = None,
    channel: str = "web",
) -> Adaptation:
    with transaction.atomic():
        adaptation = Adaptation.objects.create(
            pupil=pupil,
            school_unit_id=school_unit_id,
            created_by=actor,
            concern=concern,
            **values,
        )
        if concern is not None and concern.state == wf.ConcernState.OPEN:
            Concern.objects.filter(pk=concern.pk).update(state=wf.ConcernState.ADAPTATIONS)
        _record(
            actor=actor,
            record=adaptation,
            verb="adaptation.created",
            record_type="adaptation",
            on_date=today,
            channel=channel,
            action=AccessAction.CREATE,
        )
    return adaptation


def adaptation_update(
    *,
    actor: User,
    adaptation: Adaptation,
    expected_version: int,
    values: dict[str, Any],
    today: date,
    channel: str = "web",
) -> None:
    _refuse_unless(wf.may_evaluate_adaptation(wf.AdaptationState(adaptation.state)))
    with transaction.atomic():
        _save_versioned(Adaptation, adaptation, expected_version=expected_version, values=values)
        _record(
            actor=actor,
            record=adaptation,
            verb="adaptation.changed",
            record_type="adaptation",
            on_date=today,
            channel=channel,
        )


def adaptation_evaluate(
    *,
    actor: User,
    adaptation: Adaptation,
    effect: str,
    next_step: str,
    pupil_view: str = "",
    comment: str = "",
    next_evaluation_on: date | None = None,
    today: date,
    channel: str = "web",
) -> AdaptationEvaluation:
    _refuse_unless(wf.may_evaluate_adaptation(wf.AdaptationState(adaptation.state)))
    step = wf.AdaptationNextStep(next_step)
    if step in (wf.AdaptationNextStep.CONTINUE, wf.AdaptationNextStep.CHANGE) and (
        next_evaluation_on is None or next_evaluation_on <= today
    ):
        raise wf.RefusalError(
            wf.Refused(
                "adaptation.next_evaluation_missing",
                wf.gettext_noop("Ange ett kommande datum för nästa utvärdering."),
            )
        )
    with transaction.atomic():
        evaluation = AdaptationEvaluation.objects.create(
            adaptation=adaptation,
            evaluated_on=today,
            evaluated_by=actor,
            effect=effect,
            next_step=step,
            pupil_view=pupil_view,
            comment=comment,
            next_evaluation_on=next_evaluation_on,
        )
        changes: dict[str, Any] = {"updated_at": timezone.now()}
        if not wf.adaptation_stays_active(step):
            changes |= {"state": wf.AdaptationState.ENDED, "ended_on": today}
        elif next_evaluation_on is not None:
            # A report to the principal may leave the next evaluation as planned.
            changes["evaluate_on"] = next_evaluation_on
        Adaptation.objects.filter(pk=adaptation.pk).update(**changes)
        _record(
            actor=actor,
            record=adaptation,
            verb="adaptation.evaluated",
            record_type="adaptation",
            on_date=today,
            channel=channel,
        )
    adaptation.refresh_from_db()
    return evaluation


# ----------------------------------------------------------------------------- referral


def referral_create(
    *,
    actor: User,
    pupil: Pupil,
    school_unit_id: uuid.UUID,
    ground: str,
    description: str,
    adaptations: Sequence[Adaptation] = (),
    results: str = "",
    guardian_informed: bool = False,
    pupil_informed: bool = False,
    concern: Concern | None = None,
    today: date,
    channel: str = "web",
) -> Referral:
    _refuse_unless(wf.may_refer(wf.ReferralGround(ground), len(adaptations)))
    role = _duty_title(actor, school_unit_id)
    with transaction.atomic():
        referral = Referral.objects.create(
            pupil=pupil,
            school_unit_id=school_unit_id,
            created_by=actor,
            concern=concern,
            reported_on=today,
            reporter_role=role,
            ground=ground,
            description=description,
            results=results,
            guardian_informed=guardian_informed,
            pupil_informed=pupil_informed,
        )
        referral.adaptations.set(adaptations)
        if concern is not None:
            Concern.objects.filter(pk=concern.pk).update(state=wf.ConcernState.REFERRED)
        _record(
            actor=actor,
            record=referral,
            verb="referral.created",
            record_type="referral",
            on_date=today,
            channel=channel,
            action=AccessAction.CREATE,
        )
    return referral


def _case_step(referral: Referral, action: wf.CaseAction) -> wf.CaseState:
    target = wf.case_transition(wf.CaseState(referral.state), action)
    if isinstance(target, wf.Refused):
        raise wf.RefusalError(target)
    return target


def _lock_referral(referral: Referral) -> Referral:
    return Referral.objects.select_for_update().get(pk=referral.pk)


def referral_receive(
    *, actor: User, referral: Referral, today: date, channel: str = "web"
) -> Referral:
    """The rektor's receipt: from here the investigation is due "skyndsamt" (SL 3 kap. 7 §)."""
    with transaction.atomic():
        referral = _lock_referral(referral)
        target = _case_step(referral, wf.CaseAction.RECEIVE)
        referral.state = target
        referral.received_at = timezone.now()
        referral.received_by = actor
        referral.save(update_fields=["state", "received_at", "received_by", "updated_at"])
        _record(
            actor=actor,
            record=referral,
            verb="referral.received",
            record_type="referral",
            on_date=today,
            channel=channel,
        )
    return referral


def investigation_open(
    *,
    actor: User,
    referral: Referral,
    investigator_ids: Iterable[uuid.UUID],
    target_on: date,
    today: date,
    channel: str = "web",
) -> Investigation:
    investigator_ids = list(dict.fromkeys(investigator_ids))
    _refuse_unless(wf.may_open_investigation(len(investigator_ids)))
    _refuse_unless(wf.may_set_investigation_target(target_on, today))
    with transaction.atomic():
        referral = _lock_referral(referral)
        target = _case_step(referral, wf.CaseAction.OPEN_INVESTIGATION)
        investigation = Investigation.objects.create(
            referral=referral,
            pupil_id=referral.pupil_id,
            school_unit_id=referral.school_unit_id,
            created_by=actor,
            opened_on=today,
            target_on=target_on,
            adaptations_effect=_adaptations_summary(referral),
        )
        investigation.investigators.set(investigator_ids)
        Referral.objects.filter(pk=referral.pk).update(state=target, updated_at=timezone.now())
        _record(
            actor=actor,
            record=investigation,
            verb="investigation.opened",
            record_type="investigation",
            on_date=today,
            channel=channel,
            action=AccessAction.CREATE,
        )
    return investigation


def _adaptations_summary(referral: Referral) -> str:
    """The mapping starts from what the report says was tried, so nobody types it twice."""
    lines = []
    for adaptation in referral.adaptations.prefetch_related("evaluations"):
        latest = next(iter(adaptation.evaluations.all()), None)
        effect = f" – {latest.get_effect_display()}" if latest else ""
        lines.append(f"• {adaptation.measure}{effect}")
    return "\n".join(lines)


def investigation_save(
    *,
    actor: User,
    investigation: Investigation,
    expected_version: int,
    values: dict[str, Any],
    needs: Sequence[tuple[str, str]] | None = None,
    today: date,
    channel: str = "web",
) -> None:
    """Save the investigation's text; several investigators write, so versions guard it.

    Once the assessment is concluded its conclusion (special support needed, the needs found)
    is locked; sending the same values again is fine, changing them is refused."""
    _refuse_unless(wf.may_edit_investigation(investigation.closed_on is not None))
    allowed = set(Investigation.TEXT_FIELDS) | {"eht_consulted", "special_support_needed"}
    values = {key: value for key, value in values.items() if key in allowed}
    with transaction.atomic():
        # Locked so that a conclusion or a decision made meanwhile is seen (rules 1 and 2).
        current = Investigation.objects.select_for_update().get(pk=investigation.pk)
        _refuse_unless(wf.may_edit_investigation(current.closed_on is not None))
        _refuse_unless(
            wf.may_change_assessment(
                current.assessed_on is not None,
                _conclusion_changed(current, values, needs),
            )
        )
        _save_versioned(
            Investigation,
            investigation,
            expected_version=expected_version,
            values=values,
            actor=actor,
        )
        if needs is not None:
            _replace_needs(investigation, needs)
        Draft.objects.filter(
            user=actor, record_type="investigation", record_id=investigation.pk
        ).delete()
        _record(
            actor=actor,
            record=investigation,
            verb="investigation.saved",
            record_type="investigation",
            on_date=today,
            channel=channel,
        )


def _conclusion_changed(
    investigation: Investigation,
    values: Mapping[str, Any],
    needs: Sequence[tuple[str, str]] | None,
) -> bool:
    if (
        "special_support_needed" in values
        and values["special_support_needed"] != investigation.special_support_needed
    ):
        return True
    if needs is None:
        return False
    # Compared as the form sends them back (stripped), so resending the saved needs is no change.
    wanted = [(category, text.strip()) for category, text in needs if text.strip()]
    saved = [
        (category, text.strip())
        for category, text in investigation.needs.values_list("category", "description")
    ]
    return wanted != saved


def _replace_needs(investigation: Investigation, needs: Sequence[tuple[str, str]]) -> None:
    investigation.needs.all().delete()
    InvestigationNeed.objects.bulk_create(
        InvestigationNeed(
            investigation=investigation, category=category, description=text, position=index
        )
        for index, (category, text) in enumerate(needs)
        if text.strip()
    )


def assessment_facts(investigation: Investigation) -> wf.AssessmentFacts:
    mapping = any(
        getattr(investigation, name).strip()
        for name in ("individual_level", "group_level", "school_level", "results")
    )
    return wf.AssessmentFacts(
        mapping_done=mapping,
        pupil_view_recorded=bool(investigation.pupil_view.strip()),
        guardian_view_recorded=bool(investigation.guardian_view.strip()),
        eht_consulted=investigation.eht_consulted,
        eht_skip_reason=investigation.eht_skip_reason,
        special_support_needed=investigation.special_support_needed,
        needs_found=investigation.needs.count(),
        already_assessed=investigation.assessed_on is not None,
    )


def investigation_conclude(
    *, actor: User, investigation: Investigation, today: date, channel: str = "web"
) -> ActionProgramme | None:
    """Conclude the assessment. If special support is needed, draft the programme with the
    needs carried over: the pupil must then get support and a programme (SL 3 kap. 7, 9 §§)."""
    _refuse_unless(wf.may_conclude_assessment(assessment_facts(investigation)))
    with transaction.atomic():
        Investigation.objects.filter(pk=investigation.pk).update(
            assessed_on=today, updated_at=timezone.now(), updated_by=actor
        )
        investigation.refresh_from_db()
        _record(
            actor=actor,
            record=investigation,
            verb="investigation.assessed",
            record_type="investigation",
            on_date=today,
            channel=channel,
        )
        if investigation.special_support_needed:
            return _programme_from_investigation(
                actor=actor,
                investigation=investigation,
                today=today,
                channel=channel,  # api helper: the draft is logged on the caller's channel
            )
    return None


def _programme_from_investigation(
    *, actor: User, investigation: Investigation, today: date, channel: str = "web"
) -> ActionProgramme:
    existing = ActionProgramme.objects.filter(
        referral_id=investigation.referral_id, state=wf.ProgrammeState.DRAFT
    ).first()
    if existing is not None:
        return existing
    programme = ActionProgramme.objects.create(
        referral_id=investigation.referral_id,
        investigation=investigation,
        pupil_id=investigation.pupil_id,
        school_unit_id=investigation.school_unit_id,
        created_by=actor,
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
    _record(
        actor=actor,
        record=programme,
        verb="programme.drafted",
        record_type="action_programme",
        on_date=today,
        channel=channel,
        action=AccessAction.CREATE,
    )
    return programme


# ----------------------------------------------------------------------------- programme editor


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
    _refuse_unless(wf.may_edit_programme(wf.ProgrammeState(programme.state)))
    keys = {need.key for need in needs if need.description.strip()}
    for measure in measures:
        if measure.description.strip() and measure.need_key not in keys:
            _refuse_unless(
                wf.measure_outcome(
                    wf.MeasureFacts(
                        has_need=False,
                        has_responsible=True,
                        setting=wf.MeasureSetting.OWN_GROUP,
                        starts_on=None,
                        ends_on=None,
                        has_special_reasons=True,
                    ),
                    today,
                )
            )
    with transaction.atomic():
        _save_versioned(
            ActionProgramme,
            programme,
            expected_version=expected_version,
            values=values,
            actor=actor,
        )
        programme.measures.all().delete()
        sources = dict(programme.needs.values_list("pk", "source_id"))
        programme.needs.all().delete()
        created: dict[str, ProgrammeNeed] = {}
        for position, need in enumerate(n for n in needs if n.description.strip()):
            created[need.key] = ProgrammeNeed.objects.create(
                programme=programme,
                source_id=_source_of(need.key, sources),
                category=need.category,
                description=need.description,
                position=position,
            )
        ProgrammeMeasure.objects.bulk_create(
            ProgrammeMeasure(
                programme=programme,
                need=created[measure.need_key],
                description=measure.description,
                responsible_id=measure.responsible_id,
                extent=measure.extent,
                setting=measure.setting,
                special_reasons=measure.special_reasons,
                location=measure.location,
                deviations=measure.deviations,
                return_plan=measure.return_plan,
                starts_on=measure.starts_on,
                ends_on=measure.ends_on,
                position=position,
            )
            for position, measure in enumerate(m for m in measures if m.description.strip())
        )
        Draft.objects.filter(
            user=actor, record_type="action_programme", record_id=programme.pk
        ).delete()
        _record(
            actor=actor,
            record=programme,
            verb="programme.saved",
            record_type="action_programme",
            on_date=today,
            channel=channel,
        )


def _source_of(key: str, sources: Mapping[uuid.UUID, uuid.UUID | None]) -> uuid.UUID | None:
    try:
        return sources.get(uuid.UUID(key))
    except ValueError:
        return None


def programme_facts(programme: ActionProgramme, statement_of_reasons: str) -> wf.ProgrammeFacts:
    needs = list(programme.needs.all())
    need_ids = {need.pk for need in needs}
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
    _refuse_unless(
        wf.may_act_on_programme(wf.ProgrammeState(programme.state), wf.ProgrammeStep.REVISE)
    )
    existing = ActionProgramme.objects.filter(previous=programme).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        draft = ActionProgramme.objects.create(
            referral_id=programme.referral_id,
            investigation_id=programme.investigation_id,
            pupil_id=programme.pupil_id,
            school_unit_id=programme.school_unit_id,
            created_by=actor,
            number=programme.number + 1,
            previous=programme,
            revision_reason=reason,
            pupil_view=programme.pupil_view,
            guardian_view=programme.guardian_view,
            follow_up_on=programme.follow_up_on,
            follow_up_responsible_id=programme.follow_up_responsible_id,
            evaluation_on=programme.evaluation_on,
            evaluation_responsible_id=programme.evaluation_responsible_id,
            valid_until=programme.valid_until,
        )
        new_needs = {}
        for need in programme.needs.all():
            new_needs[need.pk] = ProgrammeNeed.objects.create(
                programme=draft,
                source_id=need.source_id,
                category=need.category,
                description=need.description,
                position=need.position,
            )
        ProgrammeMeasure.objects.bulk_create(
            ProgrammeMeasure(
                programme=draft,
                need=new_needs[measure.need_id],
                description=measure.description,
                responsible_id=measure.responsible_id,
                extent=measure.extent,
                setting=measure.setting,
                special_reasons=measure.special_reasons,
                location=measure.location,
                deviations=measure.deviations,
                return_plan=measure.return_plan,
                starts_on=measure.starts_on,
                ends_on=measure.ends_on,
                position=measure.position,
            )
            for measure in programme.measures.all()
        )
        _record(
            actor=actor,
            record=draft,
            verb="programme.revision_started",
            record_type="action_programme",
            on_date=today,
            channel=channel,
            action=AccessAction.CREATE,
        )
    return draft


# ----------------------------------------------------------------------------- decisions


@dataclass(frozen=True)
class Authority:
    facts: wf.DecisionAuthority
    delegation: Delegation | None
    title: str


def authority_of(
    *, actor: User, school_unit_id: uuid.UUID, kind: wf.DecisionKind, day: date
) -> Authority:
    """What the actor may decide at the unit on the day: read from duties and the delegation
    register, never from the session (SL 2 kap. 9–10 §§). A delegate must hold a duty at the
    unit on the day (SL 2 kap. 10 §: "anställd eller uppdragstagare vid skolenheten")."""
    duties_that_day = set(
        UnitDuty.objects.filter(user=actor, school_unit_id=school_unit_id, starts_on__lte=day)
        .exclude(ends_on__lt=day)
        .values_list("duty", flat=True)
    )
    is_principal = UnitDutyKind.PRINCIPAL in duties_that_day
    delegations = (
        []
        if is_principal
        else delegations_covering(
            delegate_id=actor.pk, school_unit_id=school_unit_id, decision_type=kind, day=day
        )
    )
    return Authority(
        facts=wf.DecisionAuthority(
            is_principal=is_principal,
            delegated_types=frozenset(d.decision_type for d in delegations),
            has_unit_duty=bool(duties_that_day),
        ),
        delegation=delegations[0] if delegations else None,
        title=str(UNIT_DUTY_LABELS[UnitDutyKind.PRINCIPAL])
        if is_principal
        else _duty_title(actor, school_unit_id),
    )


def _duty_title(actor: User, school_unit_id: uuid.UUID) -> str:
    duty = (
        UnitDuty.objects.filter(user=actor, school_unit_id=school_unit_id)
        .order_by("duty")
        .values_list("duty", flat=True)
        .first()
    )
    return str(UNIT_DUTY_LABELS.get(UnitDutyKind(duty), "")) if duty else ""


def _appeal_instructions() -> str:
    # The decision keeps the instructions in Swedish as served, whatever the user's language.
    with translation.override("sv"):
        return str(APPEAL_INSTRUCTIONS)


def _make_decision(
    *,
    actor: User,
    authority: Authority,
    referral: Referral,
    kind: wf.DecisionKind,
    statement_of_reasons: str,
    today: date,
    channel: str,
    investigation: Investigation | None = None,
    programme: ActionProgramme | None = None,
    instead: str = "",
) -> Decision:
    decision = Decision.objects.create(
        referral=referral,
        pupil_id=referral.pupil_id,
        school_unit_id=referral.school_unit_id,
        created_by=actor,
        kind=kind,
        investigation=investigation,
        programme=programme,
        decided_on=today,
        decided_by=actor,
        decided_by_name=actor.get_full_name() or actor.get_username(),
        decided_by_title=authority.title,
        delegation=authority.delegation,
        statement_of_reasons=statement_of_reasons,
        instead=instead,
        appeal_instructions=_appeal_instructions(),
    )
    _create_service_rows(decision)
    # An appeal whose decision was changed on reconsideration (FL 39 §: the appeal now covers
    # the new decision) or set aside or returned by the board: link the new decision, made
    # through the normal flow (service and appeal fixes).
    Appeal.objects.filter(
        decision__referral=referral,
        state__in=wf.APPEAL_STATES_AWAITING_NEW_DECISION,
        new_decision__isnull=True,
    ).update(new_decision=decision, updated_at=timezone.now())
    _record(
        actor=actor,
        record=decision,
        verb="decision.made",
        record_type="decision",
        on_date=today,
        channel=channel,
        action=AccessAction.CREATE,
    )
    return decision


def _create_service_rows(decision: Decision) -> None:
    """One row per recipient: each guardian with custody, and the pupil (SL 29 kap. 12 §: a
    pupil of 16 may appeal alone; younger pupils are informed too)."""
    guardians = Guardian.objects.filter(
        pk__in=Guardianship.objects.filter(pupil_id=decision.pupil_id, has_custody=True).values(
            "guardian_id"
        )
    )
    rows = [
        DecisionService(
            decision=decision,
            recipient_kind=RecipientKind.GUARDIAN,
            guardian=guardian,
            recipient_name=guardian.full_name,
        )
        for guardian in guardians
    ]
    pupil = Pupil.objects.only("first_name", "last_name").get(pk=decision.pupil_id)
    rows.append(
        DecisionService(
            decision=decision, recipient_kind=RecipientKind.PUPIL, recipient_name=pupil.full_name
        )
    )
    DecisionService.objects.bulk_create(rows)


def decide_no_programme(
    *,
    actor: User,
    investigation: Investigation,
    statement_of_reasons: str,
    instead: str,
    today: date,
    channel: str = "web",
    expected_version: int | None = None,
) -> Decision:
    """SL 3 kap. 9 § third paragraph: the investigation shows no need of special support.

    The investigation is locked and read again inside the transaction, so a save or a
    conclusion made meanwhile is what the rules see; `expected_version` (default: the current
    one) is the version the decider read, and a newer one is an EditConflictError."""
    kind = wf.DecisionKind.NO_ACTION_PROGRAMME
    authority = authority_of(
        actor=actor, school_unit_id=investigation.school_unit_id, kind=kind, day=today
    )
    _refuse_unless(wf.may_decide(authority.facts, kind))
    with transaction.atomic():
        referral = _lock_referral(investigation.referral)
        investigation = Investigation.objects.select_for_update().get(pk=investigation.pk)
        if expected_version is not None and investigation.version != expected_version:
            raise EditConflictError(theirs={}, mine={}, version=investigation.version)
        drafted = ActionProgramme.objects.filter(
            referral_id=investigation.referral_id, state=wf.ProgrammeState.DRAFT
        ).exists()
        _refuse_unless(
            wf.may_decide_no_programme(
                investigation.special_support_needed,
                statement_of_reasons,
                programme_drafted=drafted,
            )
        )
        if investigation.assessed_on is None:
            _refuse_unless(wf.may_conclude_assessment(assessment_facts(investigation)))
        target = _case_step(referral, wf.CaseAction.DECIDE_NO_PROGRAMME)
        decision = _make_decision(
            actor=actor,
            authority=authority,
            referral=referral,
            kind=kind,
            statement_of_reasons=statement_of_reasons,
            instead=instead,
            investigation=investigation,
            today=today,
            channel=channel,
        )
        Investigation.objects.filter(pk=investigation.pk).update(
            closed_on=today,
            assessed_on=investigation.assessed_on or today,
            version=F("version") + 1,  # a save typed before the decision is now a conflict
        )
        Referral.objects.filter(pk=referral.pk).update(state=target, updated_at=timezone.now())
    return decision


def decide_programme(
    *,
    actor: User,
    programme: ActionProgramme,
    statement_of_reasons: str,
    today: date,
    channel: str = "web",
    expected_version: int | None = None,
) -> Decision:
    """Adopt a programme (SL 3 kap. 9 §), or a revision of one: a new decision either way.

    The checks run on the programme as locked inside the transaction: its measures are read
    again there, so a save made meanwhile cannot slip a reserved setting past a delegate's
    check. `expected_version` (default: the current one) is the version the decider read; a
    newer saved version is an EditConflictError and nothing is decided."""
    kind = wf.DecisionKind.ACTION_PROGRAMME
    _refuse_unless(wf.may_edit_programme(wf.ProgrammeState(programme.state)))
    authority = authority_of(
        actor=actor, school_unit_id=programme.school_unit_id, kind=kind, day=today
    )
    with transaction.atomic():
        referral = _lock_referral(programme.referral)
        locked = ActionProgramme.objects.select_for_update().get(pk=programme.pk)
        if expected_version is not None and locked.version != expected_version:
            raise EditConflictError(theirs={}, mine={}, version=locked.version)
        _refuse_unless(wf.may_edit_programme(wf.ProgrammeState(locked.state)))
        settings = [wf.MeasureSetting(m.setting) for m in locked.measures.all()]
        _refuse_unless(wf.may_decide(authority.facts, kind, settings))
        _refuse_unless(
            wf.may_decide_programme(programme_facts(locked, statement_of_reasons), today)
        )
        investigation = locked.investigation
        is_revision = locked.previous_id is not None
        if not is_revision and investigation is not None:
            _refuse_unless(
                wf.may_decide_programme_after_assessment(investigation.special_support_needed)
            )
        action = wf.CaseAction.DECIDE_REVISION if is_revision else wf.CaseAction.DECIDE_PROGRAMME
        target = _case_step(referral, action)
        decision = _make_decision(
            actor=actor,
            authority=authority,
            referral=referral,
            kind=kind,
            statement_of_reasons=statement_of_reasons,
            investigation=None if is_revision else investigation,
            programme=programme,
            today=today,
            channel=channel,
        )
        decided = ActionProgramme.objects.filter(pk=locked.pk, version=locked.version).update(
            state=wf.ProgrammeState.IN_FORCE,
            in_force_from=today,
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
        if decided == 0:  # only without a row lock (never on PostgreSQL): nothing is decided
            raise EditConflictError(theirs={}, mine={}, version=locked.version)
        if locked.previous_id is not None:
            ActionProgramme.objects.filter(pk=locked.previous_id).update(
                state=wf.ProgrammeState.SUPERSEDED, updated_at=timezone.now()
            )
        elif investigation is not None:
            Investigation.objects.filter(pk=investigation.pk).update(closed_on=today)
        Referral.objects.filter(pk=referral.pk).update(state=target, updated_at=timezone.now())
    programme.refresh_from_db()
    return decision


def decide_closure(
    *,
    actor: User,
    programme: ActionProgramme,
    statement_of_reasons: str,
    today: date,
    channel: str = "web",
) -> Decision:
    """End a programme on the strength of its evaluation (process.md §1, S7→S8)."""
    kind = wf.DecisionKind.ACTION_PROGRAMME_CLOSURE
    authority = authority_of(
        actor=actor, school_unit_id=programme.school_unit_id, kind=kind, day=today
    )
    _refuse_unless(wf.may_decide(authority.facts, kind))
    with transaction.atomic():
        referral = _lock_referral(programme.referral)
        locked = ActionProgramme.objects.select_for_update().get(pk=programme.pk)
        _refuse_unless(
            wf.may_act_on_programme(wf.ProgrammeState(locked.state), wf.ProgrammeStep.CLOSE)
        )
        evaluations = FollowUp.objects.filter(
            programme=locked, kind=wf.FollowUpKind.EVALUATION
        ).count()
        _refuse_unless(wf.may_decide_closure(evaluations, statement_of_reasons))
        target = _case_step(referral, wf.CaseAction.DECIDE_CLOSURE)
        decision = _make_decision(
            actor=actor,
            authority=authority,
            referral=referral,
            kind=kind,
            statement_of_reasons=statement_of_reasons,
            programme=programme,
            today=today,
            channel=channel,
        )
        ActionProgramme.objects.filter(pk=programme.pk).update(
            state=wf.ProgrammeState.CLOSED, valid_until=today, updated_at=timezone.now()
        )
        # A revision still in draft lapses with the programme it would have replaced. It is kept
        # and its lapse recorded: nothing is deleted outside the retention schedule (rule 5).
        for lapsed in ActionProgramme.objects.select_for_update().filter(
            previous=locked, state=wf.ProgrammeState.DRAFT
        ):
            ActionProgramme.objects.filter(pk=lapsed.pk).update(
                state=wf.ProgrammeState.LAPSED,
                version=F("version") + 1,  # an editor still open on it gets a conflict
                updated_at=timezone.now(),
            )
            _record(
                actor=actor,
                record=lapsed,
                verb="programme.draft_lapsed",
                record_type="action_programme",
                on_date=today,
                channel=channel,
            )
        Referral.objects.filter(pk=referral.pk).update(state=target, updated_at=timezone.now())
    return decision


# ----------------------------------------------------------------------------- service


def service_record(
    *,
    actor: User,
    service: DecisionService,
    method: str,
    sent_on: date | None,
    received_on: date | None,
    today: date,
    channel: str = "web",
) -> DecisionService:
    """Record how and when one recipient got the decision. Their appeal time runs from receipt
    (FL 44 § via SL 29 kap. 11 §). A recorded receipt day is never changed here: see
    service_correct."""
    deadline = (
        wf.appeal_deadline(received_on, days_off_around(received_on)) if received_on else None
    )
    with transaction.atomic():
        current = DecisionService.objects.select_for_update().get(pk=service.pk)
        _refuse_unless(
            wf.may_record_service(
                recorded_received_on=current.received_on,
                received_on=received_on,
                sent_on=sent_on,
                today=today,
            )
        )
        DecisionService.objects.filter(pk=service.pk).update(
            method=method,
            sent_on=sent_on,
            received_on=received_on,
            appeal_deadline=deadline,
            recorded_by=actor,
            updated_at=timezone.now(),
        )
        service.refresh_from_db()
        _record(
            actor=actor,
            record=service.decision,
            verb="decision.served",
            record_type="decision",
            on_date=today,
            channel=channel,
        )
    return service


def service_confirm_receipt(
    *, actor: User, service: DecisionService, today: date, channel: str = "web"
) -> DecisionService:
    """The recipient confirms in Elevstöd that they received the decision: their window opens."""
    if service.received_on is not None:
        return service
    return service_record(
        actor=actor,
        service=service,
        method=ServiceMethod.CONFIRMED_IN_APP,
        sent_on=service.sent_on or today,
        received_on=today,
        today=today,
        channel=channel,
    )


def service_correct(
    *,
    actor: User,
    service: DecisionService,
    received_on: date,
    reason: str,
    today: date,
    channel: str = "web",
) -> DecisionService:
    """Correct a wrongly recorded receipt day: a new, logged act with a reason. The old day,
    the new one, who and why are kept on the row (process.md §2.4 and rule 5)."""
    with transaction.atomic():
        current = DecisionService.objects.select_for_update().get(pk=service.pk)
        _refuse_unless(
            wf.may_correct_service(
                recorded_received_on=current.received_on,
                received_on=received_on,
                sent_on=current.sent_on,
                reason=reason,
                appeals_counted_from_it=Appeal.objects.filter(service=current).count(),
                today=today,
            )
        )
        corrections = [
            *current.corrections,
            {
                "on": today.isoformat(),
                "by": actor.get_full_name() or actor.get_username(),
                "from": current.received_on.isoformat() if current.received_on else None,
                "to": received_on.isoformat(),
                "reason": reason.strip(),
            },
        ]
        DecisionService.objects.filter(pk=current.pk).update(
            received_on=received_on,
            appeal_deadline=wf.appeal_deadline(received_on, days_off_around(received_on)),
            corrections=corrections,
            updated_at=timezone.now(),
        )
        service.refresh_from_db()
        _record(
            actor=actor,
            record=service.decision,
            verb="decision.service_corrected",
            record_type="decision",
            on_date=today,
            channel=channel,
        )
    return service


# ----------------------------------------------------------------------------- appeals


def appeal_register(
    *,
    actor: User,
    decision: Decision,
    service: DecisionService | None,
    appellant_name: str,
    lodged_on: date,
    content: str,
    today: date,
    channel: str = "web",
    reached_board_in_time: bool = False,
    wrong_appeal_instructions: bool = False,
) -> Appeal:
    """Register an appeal lodged with the school. Timeliness is counted from the appellant's
    own receipt of the decision (FL 44 §): `service` is the appellant's own service row, and
    is required. An appellant not yet served is in time (recorded as `not_served`)."""
    _refuse_unless(
        wf.may_register_appeal(
            lodged_on=lodged_on,
            decided_on=decision.decided_on,
            today=today,
            appellant_served_row=service is not None and service.decision_id == decision.pk,
        )
    )
    assert service is not None  # refused above otherwise
    with transaction.atomic():
        current = DecisionService.objects.select_for_update().get(pk=service.pk)
        not_served = current.received_on is None
        deadline = None if not_served else current.appeal_deadline
        appeal = Appeal.objects.create(
            decision=decision,
            service=current,
            pupil_id=decision.pupil_id,
            school_unit_id=decision.school_unit_id,
            created_by=actor,
            appellant_name=appellant_name.strip() or current.recipient_name,
            lodged_on=lodged_on,
            deadline=deadline,
            not_served=not_served,
            is_timely=wf.appeal_is_timely(lodged_on, deadline, not_served=not_served),
            reached_board_in_time=reached_board_in_time,
            wrong_appeal_instructions=wrong_appeal_instructions,
            content=content,
        )
        _record(
            actor=actor,
            record=appeal,
            verb="appeal.registered",
            record_type="appeal",
            on_date=today,
            channel=channel,
            action=AccessAction.CREATE,
        )
    return appeal


def appeal_handle(
    *,
    actor: User,
    appeal: Appeal,
    action: str,
    note: str,
    today: date,
    channel: str = "web",
    reached_board_in_time: bool | None = None,
    wrong_appeal_instructions: bool | None = None,
) -> Appeal:
    """Reconsider, dismiss as late, forward, or record the board's ruling (FL 45–46 §§, SL 28
    kap. 16 §). The two FL 45 § andra stycket facts, when given, are recorded with the step.
    A board ruling that sets aside or returns a no-programme decision reopens the case for a
    new decision."""
    step = wf.AppealAction(action)
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if reached_board_in_time is not None:
            appeal.reached_board_in_time = reached_board_in_time
        if wrong_appeal_instructions is not None:
            appeal.wrong_appeal_instructions = wrong_appeal_instructions
        facts = {
            "not_served": appeal.not_served,
            "reached_board_in_time": appeal.reached_board_in_time,
            "wrong_appeal_instructions": appeal.wrong_appeal_instructions,
        }
        if step is wf.AppealAction.FORWARD:
            _refuse_unless(wf.may_forward_appeal(appeal.lodged_on, appeal.deadline, **facts))
        if step is wf.AppealAction.DISMISS_AS_LATE:
            _refuse_unless(
                wf.may_dismiss_appeal_as_late(appeal.lodged_on, appeal.deadline, **facts)
            )
        target = wf.appeal_transition(wf.AppealState(appeal.state), step)
        if isinstance(target, wf.Refused):
            raise wf.RefusalError(target)
        appeal.state = target
        appeal.handling_note = "\n".join(filter(None, [appeal.handling_note, note]))
        if step is wf.AppealAction.FORWARD:
            appeal.forwarded_on = today
        else:
            appeal.outcome_on = today
        appeal.save()
        _reopen_after_appeal(actor=actor, appeal=appeal, step=step, today=today, channel=channel)
        _record(
            actor=actor,
            record=appeal,
            verb=f"appeal.{step.value}",
            record_type="appeal",
            on_date=today,
            channel=channel,
        )
    return appeal


def _reopen_after_appeal(
    *, actor: User, appeal: Appeal, step: wf.AppealAction, today: date, channel: str
) -> None:
    """A no-programme decision set aside or returned by the board (SL 28 kap. 16 § andra
    stycket) or changed on reconsideration: the case awaits a new decision. The investigation
    opens again for the new assessment, its target the huvudman's decision time from today."""
    decision = appeal.new_decision or appeal.decision
    referral = _lock_referral(decision.referral)
    case_action = wf.case_action_after_appeal_step(
        step, wf.DecisionKind(decision.kind), wf.CaseState(referral.state)
    )
    if case_action is None:
        return
    target = _case_step(referral, case_action)
    Referral.objects.filter(pk=referral.pk).update(state=target, updated_at=timezone.now())
    if decision.investigation_id is not None:
        provider_id = referral.school_unit.provider_id
        Investigation.objects.filter(pk=decision.investigation_id).update(
            closed_on=None,
            assessed_on=None,
            target_on=today + timedelta(days=deadlines_for(provider_id).decision_days),
            updated_at=timezone.now(),
        )
    _record(
        actor=actor,
        record=referral,
        verb="case.reopened_after_appeal",
        record_type="referral",
        on_date=today,
        channel=channel,
    )


# ----------------------------------------------------------------------------- follow-up


@dataclass(frozen=True)
class ReviewInput:
    measure_id: uuid.UUID
    carried_out: str
    effect: str
    comment: str = ""


def follow_up_record(
    *,
    actor: User,
    programme: ActionProgramme,
    kind: str,
    reviews: Sequence[ReviewInput],
    outcome: str,
    values: dict[str, Any],
    next_on: date | None,
    today: date,
    channel: str = "web",
) -> FollowUp:
    """Follow up or evaluate a programme in force, measure by measure (SL 3 kap. 9 §)."""
    _refuse_unless(
        wf.may_act_on_programme(wf.ProgrammeState(programme.state), wf.ProgrammeStep.FOLLOW_UP)
    )
    measure_ids = set(programme.measures.values_list("pk", flat=True))
    reviewed = {review.measure_id for review in reviews}
    result = wf.FollowUpOutcome(outcome)
    _refuse_unless(
        wf.may_record_follow_up(
            reviewed == measure_ids, result is wf.FollowUpOutcome.CONTINUE, next_on, today
        )
    )
    planned = (
        programme.evaluation_on if kind == wf.FollowUpKind.EVALUATION else programme.follow_up_on
    )
    with transaction.atomic():
        follow_up = FollowUp.objects.create(
            programme=programme,
            pupil_id=programme.pupil_id,
            school_unit_id=programme.school_unit_id,
            created_by=actor,
            kind=kind,
            planned_on=planned or today,
            held_on=today,
            outcome=result,
            next_on=next_on,
            **values,
        )
        MeasureReview.objects.bulk_create(
            MeasureReview(
                follow_up=follow_up,
                measure_id=review.measure_id,
                carried_out=review.carried_out,
                effect=review.effect,
                comment=review.comment,
            )
            for review in reviews
        )
        if result is wf.FollowUpOutcome.CONTINUE:
            date_field = "evaluation_on" if kind == wf.FollowUpKind.EVALUATION else "follow_up_on"
            ActionProgramme.objects.filter(pk=programme.pk).update(
                **{date_field: next_on}, updated_at=timezone.now()
            )
        _record(
            actor=actor,
            record=follow_up,
            verb=f"{kind}.recorded",
            record_type="follow_up",
            on_date=today,
            channel=channel,
            action=AccessAction.CREATE,
        )
    if result is wf.FollowUpOutcome.REVISE:
        programme_start_revision(
            actor=actor,
            programme=programme,
            reason=values.get("summary", ""),
            today=today,
            channel=channel,
        )
    return follow_up


# ----------------------------------------------------------------------------- family


def participant_view_add(
    *,
    actor: User,
    pupil: Pupil,
    author_kind: str,
    text: str,
    today: date,
    programme: ActionProgramme | None = None,
    decision: Decision | None = None,
    follow_up: FollowUp | None = None,
    channel: str = "web",
) -> ParticipantView:
    if not text.strip():
        raise wf.RefusalError(
            wf.Refused("view.empty", wf.gettext_noop("Skriv din synpunkt först."))
        )
    # The record types the rest of the log uses (log review filters on them).
    target: Model
    if programme is not None:
        target, record_type = programme, "action_programme"
    elif decision is not None:
        target, record_type = decision, "decision"
    elif follow_up is not None:
        target, record_type = follow_up, "follow_up"
    else:
        raise ValueError("participant_view_add needs the record the view is about")
    with transaction.atomic():
        view = ParticipantView.objects.create(
            pupil=pupil,
            author=actor,
            author_kind=author_kind,
            programme=programme,
            decision=decision,
            follow_up=follow_up,
            text=text,
        )
        _record(
            actor=actor,
            record=target,
            verb="view.added",
            record_type=record_type,
            on_date=today,
            channel=channel,
            action=AccessAction.CREATE,
        )
    return view


# ----------------------------------------------------------------------------- drafts


def draft_autosave(
    *, user: User, record_type: str, record_id: uuid.UUID, base_version: int, data: dict
) -> Draft:
    """Keep what the user is typing (rule 7). The document itself changes only on save."""
    draft, _created = Draft.objects.update_or_create(
        user=user,
        record_type=record_type,
        record_id=record_id,
        defaults={"base_version": base_version, "data": data},
    )
    return draft


def draft_discard(*, user: User, record_type: str, record_id: uuid.UUID) -> None:
    Draft.objects.filter(user=user, record_type=record_type, record_id=record_id).delete()


# ============================================================================= tasks area
# The daily reminder job's bookkeeping (elevstod.support.tasks). One ReminderRun per day makes
# the job idempotent: a second run for the same day, from a retry, a second worker or a manual
# `send_reminders`, finds the row and sends nothing.


def reminder_run_start(*, day: date) -> ReminderRun | None:
    """Claim `day` for the reminder job; None if it is already claimed (never send twice)."""
    try:
        with transaction.atomic():
            return ReminderRun.objects.create(day=day, started_at=timezone.now())
    except IntegrityError:
        return None


def reminder_run_finish(*, run: ReminderRun, emails_sent: int) -> None:
    ReminderRun.objects.filter(pk=run.pk).update(
        finished_at=timezone.now(), emails_sent=emails_sent
    )


# The huvudman's deadline settings (process.md §3, rule 4). Every changed value is one row in
# the append-only access log (who, when, which huvudman, old → new), in the same transaction as
# the change; ProviderDeadlines.updated_by/updated_at name the latest change.
DEADLINES_RECORD_TYPE = "provider_deadlines"


@dataclass(frozen=True)
class DeadlineChange:
    name: str
    old: int
    new: int


def deadlines_change(
    *, actor: User, provider_id: uuid.UUID, values: Mapping[str, int], channel: str = "web"
) -> list[DeadlineChange]:
    """Save the settings that differ from the current ones; returns what changed (maybe none)."""
    with transaction.atomic():
        row = ProviderDeadlines.objects.select_for_update().filter(provider_id=provider_id).first()
        current = row.as_settings() if row is not None else wf.DEFAULT_DEADLINES
        changes = [
            DeadlineChange(name, getattr(current, name), int(value))
            for name, value in values.items()
            if getattr(current, name) != int(value)
        ]
        if not changes:
            return []
        ProviderDeadlines.objects.update_or_create(
            provider_id=provider_id,
            defaults={**{c.name: c.new for c in changes}, "updated_by": actor},
        )
        for change in changes:
            record_access(
                actor_id=actor.pk,
                action=AccessAction.UPDATE,
                record_type=DEADLINES_RECORD_TYPE,
                record_id=provider_id,
                acting_role="provider_administrator",
                purpose=f"{change.name}: {change.old} -> {change.new}",
                channel=channel,
            )
    return changes


# ============================================================================= end tasks area
