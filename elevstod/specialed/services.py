"""Every change to special-education documentation. The only writers (style.md).

Services are keyword-only and atomic. Callers pass objects already checked by elevstod.access
(views ask policy.can_record_special_education / can_review_special_education) and the acting
user; the services check again what belongs to the record itself — who wrote it, its state —
and refuse with rules.RuleError and a Swedish message. Every write of an intervention writes its
access-log row in the same transaction (security.md P1): an intervention may name a pupil.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from elevstod.accounts.models import User
from elevstod.audit.models import AccessAction
from elevstod.audit.recording import record_access
from elevstod.organisation.models import AcademicYear
from elevstod.specialed import rules
from elevstod.specialed.models import (
    CompetencePlan,
    CompetencePlanVersion,
    Goal,
    Intervention,
    Period,
    PlanFollowUp,
    PlannedActivity,
    Report,
    ReportGoal,
    ReportState,
)
from elevstod.specialed.selectors import figures_of

_Record = TypeVar("_Record", bound=models.Model)

INTERVENTION_RECORD = "special_education_intervention"
INTERVENTION_FIELDS = (
    "performed_on",
    "level",
    "kind",
    "group",
    "pupil",
    "minutes",
    "description",
    "hinders",
    "supports",
    "goal",
)
PERIOD_FIELDS = ("name", "kind", "starts_on", "ends_on", "assignment", "dialogue_on")
GOAL_FIELDS = ("text", "indicator", "special_educator")
PLAN_TEXT_FIELDS = ("assignment_description", "development_needs")
ACTIVITY_FIELDS = ("kind", "title", "planned_on", "done_on", "outcome")


def _refuse(message: str) -> rules.RuleError:
    return rules.RuleError(message)


def _save_fields(
    record: _Record, names: Iterable[str], values: Mapping[str, Any], actor: User
) -> _Record:
    """Set the named fields from `values` and save, attributed to the actor (updated_by)."""
    changes = {name: values[name] for name in names} | {"updated_by": actor}
    for name, value in changes.items():
        setattr(record, name, value)
    record.save()
    return record


# ----------------------------------------------------------------------------- periods and goals


def period_create(*, actor: User, school_unit_id: uuid.UUID, values: Mapping[str, Any]) -> Period:
    """The rektor sets the assignment for a term or a school year (seed 001 § 3)."""
    with transaction.atomic():
        if Period.objects.filter(school_unit_id=school_unit_id, name=values["name"]).exists():
            raise _refuse(_("Det finns redan en period med det namnet på skolenheten."))
        return Period.objects.create(
            school_unit_id=school_unit_id,
            created_by=actor,
            **{name: values[name] for name in PERIOD_FIELDS},
        )


def period_update(*, actor: User, period: Period, values: Mapping[str, Any]) -> Period:
    with transaction.atomic():
        clash = Period.objects.filter(
            school_unit_id=period.school_unit_id, name=values["name"]
        ).exclude(pk=period.pk)
        if clash.exists():
            raise _refuse(_("Det finns redan en period med det namnet på skolenheten."))
        return _save_fields(period, PERIOD_FIELDS, values, actor)


def goal_create(
    *, actor: User, period: Period, values: Mapping[str, Any], origin_report: Report | None = None
) -> Goal:
    with transaction.atomic():
        last = period.goals.aggregate(last=Max("position"))["last"]
        return Goal.objects.create(
            period=period,
            position=(last or 0) + 1,
            created_by=actor,
            origin_report=origin_report,
            **{name: values[name] for name in GOAL_FIELDS},
        )


def goal_update(*, actor: User, goal: Goal, values: Mapping[str, Any]) -> Goal:
    with transaction.atomic():
        return _save_fields(goal, GOAL_FIELDS, values, actor)


# ----------------------------------------------------------------------------- interventions


def _check_intervention(school_unit_id: uuid.UUID, values: Mapping[str, Any]) -> None:
    """What the database constraints also say, refused here with a message first."""
    level = rules.Level(values["level"])
    group_allowed, pupil_allowed = rules.individual_fields_allowed(level)
    if values.get("pupil") is not None and not pupil_allowed:
        raise _refuse(_("En elev kan bara anges för en insats på individnivå."))
    if values.get("group") is not None and not group_allowed:
        raise _refuse(_("En undervisningsgrupp kan bara anges för en insats på gruppnivå."))
    group = values.get("group")
    if group is not None and group.school_unit_id != school_unit_id:
        raise _refuse(_("Gruppen hör inte till skolenheten."))
    goal = values.get("goal")
    if goal is not None:
        if goal.period.school_unit_id != school_unit_id:
            raise _refuse(_("Målet hör inte till skolenheten."))
        if not goal.period.starts_on <= values["performed_on"] <= goal.period.ends_on:
            raise _refuse(
                _(
                    "Målet hör till perioden %(period)s. Välj ett mål för den period då "
                    "insatsen gjordes, eller inget mål."
                )
                % {"period": goal.period.name}
            )


def _log_intervention(
    *, actor: User, intervention: Intervention, action: AccessAction, pupil_id: uuid.UUID | None
) -> None:
    record_access(
        actor_id=actor.pk,
        action=action,
        record_type=INTERVENTION_RECORD,
        pupil_id=pupil_id,
        school_unit_id=intervention.school_unit_id,
        record_id=intervention.pk,
        purpose=f"intervention_{action}",
    )


def intervention_create(
    *, actor: User, school_unit_id: uuid.UUID, values: Mapping[str, Any]
) -> Intervention:
    """Record one intervention. The pupil, if any, has been checked by the caller against the
    access policy (elevstod.access.lookup), which also logged that check."""
    _check_intervention(school_unit_id, values)
    with transaction.atomic():
        intervention = Intervention.objects.create(
            school_unit_id=school_unit_id,
            created_by=actor,
            **{name: values.get(name) for name in INTERVENTION_FIELDS},
        )
        _log_intervention(
            actor=actor,
            intervention=intervention,
            action=AccessAction.CREATE,
            pupil_id=intervention.pupil_id,
        )
    return intervention


def intervention_update(
    *, actor: User, intervention: Intervention, values: Mapping[str, Any]
) -> Intervention:
    """Only the one who did the work corrects its record (seed 001 § 8: one's own
    documentation); the change is attributed with updated_by and logged."""
    if intervention.created_by_id != actor.pk:
        raise _refuse(_("Du kan bara ändra insatser som du själv har dokumenterat."))
    _check_intervention(intervention.school_unit_id, values)
    with transaction.atomic():
        locked = Intervention.objects.select_for_update().get(pk=intervention.pk)
        old_pupil_id = locked.pupil_id
        for name in INTERVENTION_FIELDS:
            setattr(locked, name, values.get(name))
        locked.updated_by = actor
        locked.save()
        _log_intervention(
            actor=actor, intervention=locked, action=AccessAction.UPDATE, pupil_id=locked.pupil_id
        )
        # The pupil taken off the entry had their record changed too.
        if old_pupil_id is not None and old_pupil_id != locked.pupil_id:
            _log_intervention(
                actor=actor, intervention=locked, action=AccessAction.UPDATE, pupil_id=old_pupil_id
            )
    return locked


# ----------------------------------------------------------------------------- reports


def _goals_for_author(period: Period, author_id: uuid.UUID) -> list[Goal]:
    """The period's goals for everyone, and those that concern this special educator."""
    return list(
        period.goals.filter(Q(special_educator__isnull=True) | Q(special_educator_id=author_id))
    )


def _sync_goal_entries(report: Report) -> None:
    """Goals added to the period while the report is a draft join the report."""
    present = set(report.goal_entries.values_list("goal_id", flat=True))
    ReportGoal.objects.bulk_create(
        ReportGoal(report=report, goal=goal)
        for goal in _goals_for_author(report.period, report.author_id)
        if goal.pk not in present
    )


def report_start(*, actor: User, period: Period) -> tuple[Report, bool]:
    """The special educator's draft report for the period; at most one each (seed 001 § 9)."""
    with transaction.atomic():
        report, created = Report.objects.get_or_create(period=period, author=actor)
        if created:
            _sync_goal_entries(report)
    return report, created


def _lock(report: Report) -> Report:
    return Report.objects.select_for_update().select_related("period").get(pk=report.pk)


def _step(report: Report, action: rules.ReportAction, refusal: str) -> ReportState:
    new_state = rules.report_next_state(rules.ReportState(report.state), action)
    if new_state is None:
        raise _refuse(refusal)
    return ReportState(new_state.value)


def report_save(
    *,
    actor: User,
    report: Report,
    values: Mapping[str, str],
    goal_values: Mapping[uuid.UUID, tuple[str, str]],
    submit: bool = False,
) -> Report:
    """Save the draft; with `submit`, hand it to the rektor with its figures frozen."""
    with transaction.atomic():
        locked = _lock(report)
        if locked.author_id != actor.pk:
            raise _refuse(_("Bara den som skriver rapporten kan ändra den."))
        if locked.state != ReportState.DRAFT:
            raise _refuse(_("Rapporten är redan lämnad till rektor och kan inte ändras."))
        if submit:
            if not values["overall_analysis"].strip():
                raise _refuse(_("Skriv en samlad analys innan du lämnar rapporten till rektor."))
            locked.state = _step(
                locked, rules.ReportAction.SUBMIT, _("Rapporten kan inte lämnas i sitt läge.")
            )
            locked.submitted_at = timezone.now()
            period = locked.period
            locked.figures = figures_of(
                Intervention.objects.filter(
                    school_unit_id=period.school_unit_id,
                    created_by_id=locked.author_id,
                    performed_on__gte=period.starts_on,
                    performed_on__lte=period.ends_on,
                )
            ).as_json()
        locked.overall_analysis = values["overall_analysis"]
        locked.improvements = values["improvements"]
        locked.updated_by = actor
        locked.save()
        _sync_goal_entries(locked)
        entries = list(locked.goal_entries.all())
        now = timezone.now()
        for entry in entries:
            if entry.goal_id in goal_values:
                entry.result, entry.analysis = goal_values[entry.goal_id]
                entry.updated_at = now
        ReportGoal.objects.bulk_update(entries, ["result", "analysis", "updated_at"])
    return locked


def report_return(*, actor: User, report: Report, comment: str) -> Report:
    """The rektor sends a handed-in report back for completion; the comment says why."""
    if not comment.strip():
        raise _refuse(_("Skriv en kommentar om vad som behöver kompletteras."))
    with transaction.atomic():
        locked = _lock(report)
        locked.state = _step(
            locked,
            rules.ReportAction.RETURN,
            _("Bara en rapport som är lämnad till rektor kan skickas tillbaka."),
        )
        locked.review_comment = comment
        locked.returned_at = timezone.now()
        locked.returned_by = actor
        locked.figures = {}
        locked.save()
    return locked


def report_review(
    *,
    actor: User,
    report: Report,
    comment: str,
    attainments: Mapping[uuid.UUID, str],
) -> Report:
    """The rektor follows up the report with the special educator: whether each goal was met,
    and a comment (seed 001 §§ 3, 9: "tillsammans stämmer man av att målen nås")."""
    with transaction.atomic():
        locked = _lock(report)
        entries = list(locked.goal_entries.all())
        missing = [entry for entry in entries if not attainments.get(entry.goal_id)]
        if missing:
            raise _refuse(_("Ange för varje mål om det är uppnått, delvis uppnått eller inte."))
        locked.state = _step(
            locked,
            rules.ReportAction.REVIEW,
            _("Bara en rapport som är lämnad till rektor kan följas upp."),
        )
        now = timezone.now()
        for entry in entries:
            entry.attainment = attainments[entry.goal_id]
            entry.updated_at = now
        ReportGoal.objects.bulk_update(entries, ["attainment", "updated_at"])
        locked.review_comment = comment
        locked.reviewed_at = timezone.now()
        locked.reviewed_by = actor
        locked.save()
    return locked


def report_adopt_proposals(*, actor: User, report: Report, period: Period) -> list[Goal]:
    """Turn the report's proposed improvements into goals of a later period, in one action:
    "utgör grunden för reviderade eller nya mål" (seed 001 § 9). Each goal remembers the report
    it came from; its indicator is left for the rektor and the special educator to agree."""
    with transaction.atomic():
        locked = _lock(report)
        if locked.state != ReportState.REVIEWED:
            raise _refuse(_("Förslagen kan bli mål när rapporten är uppföljd."))
        if locked.proposals_adopted_at is not None:
            raise _refuse(_("Förslagen i rapporten är redan gjorda till mål."))
        if (
            period.school_unit_id != locked.period.school_unit_id
            or period.starts_on <= locked.period.starts_on
        ):
            raise _refuse(_("Välj en senare period på samma skolenhet."))
        proposals = rules.proposals_from(locked.improvements)
        if not proposals:
            raise _refuse(_("Rapporten har inga förslag på förbättringar."))
        goals = [
            goal_create(
                actor=actor,
                period=period,
                values={"text": text, "indicator": "", "special_educator": locked.author},
                origin_report=locked,
            )
            for text in proposals
        ]
        locked.proposals_adopted_at = timezone.now()
        locked.proposals_adopted_by = actor
        locked.save()
    return goals


# ----------------------------------------------------------------------------- competence plans


def plan_create(
    *,
    actor: User,
    school_unit_id: uuid.UUID,
    academic_year: AcademicYear,
    values: Mapping[str, Any],
) -> CompetencePlan:
    """A special educator's own plan for a school year (seed 001 § 2)."""
    with transaction.atomic():
        exists = CompetencePlan.objects.filter(
            school_unit_id=school_unit_id, special_educator=actor, academic_year=academic_year
        ).exists()
        if exists:
            raise _refuse(_("Du har redan en kompetensplan för läsåret på skolenheten."))
        return CompetencePlan.objects.create(
            school_unit_id=school_unit_id,
            special_educator=actor,
            academic_year=academic_year,
            created_by=actor,
            **{name: values[name] for name in PLAN_TEXT_FIELDS},
        )


def plan_update(*, actor: User, plan: CompetencePlan, values: Mapping[str, Any]) -> CompetencePlan:
    """Change the needs or the assignment description. An agreed plan keeps what was agreed:
    the agreed version is stored with who agreed it and who replaced it, and the new text
    needs the rektor's agreement again."""
    with transaction.atomic():
        locked = CompetencePlan.objects.select_for_update().get(pk=plan.pk)
        if locked.special_educator_id != actor.pk:
            raise _refuse(_("Bara den som planen gäller kan ändra den."))
        changed = any(getattr(locked, name) != values[name] for name in PLAN_TEXT_FIELDS)
        if not changed:
            return locked
        if locked.agreed_on is not None:
            CompetencePlanVersion.objects.create(
                plan=locked,
                version=locked.version,
                assignment_description=locked.assignment_description,
                development_needs=locked.development_needs,
                agreed_on=locked.agreed_on,
                agreed_by_id=locked.agreed_by_id,
                replaced_by=actor,
            )
            locked.version += 1
            locked.agreed_on = None
            locked.agreed_by = None
        return _save_fields(locked, PLAN_TEXT_FIELDS, values, actor)


def plan_agree(*, actor: User, plan: CompetencePlan, today: date) -> CompetencePlan:
    """The rektor agrees the plan after their dialogue (seed 001 § 2)."""
    with transaction.atomic():
        locked = CompetencePlan.objects.select_for_update().get(pk=plan.pk)
        if locked.agreed_on is not None:
            raise _refuse(_("Planen är redan överenskommen."))
        if not locked.development_needs.strip():
            raise _refuse(
                _(
                    "Behoven av kompetensutveckling behöver vara beskrivna innan planen kan bli "
                    "överenskommen."
                )
            )
        if locked.special_educator_id == actor.pk:
            raise _refuse(_("Du kan inte komma överens med dig själv om din egen plan."))
        locked.agreed_on = today
        locked.agreed_by = actor
        locked.save()
    return locked


def activity_create(
    *, actor: User, plan: CompetencePlan, values: Mapping[str, Any]
) -> PlannedActivity:
    if plan.special_educator_id != actor.pk:
        raise _refuse(_("Bara den som planen gäller kan lägga till aktiviteter."))
    with transaction.atomic():
        return PlannedActivity.objects.create(
            plan=plan, created_by=actor, **{name: values[name] for name in ACTIVITY_FIELDS}
        )


def activity_update(
    *, actor: User, activity: PlannedActivity, values: Mapping[str, Any]
) -> PlannedActivity:
    if activity.plan.special_educator_id != actor.pk:
        raise _refuse(_("Bara den som planen gäller kan ändra aktiviteter."))
    with transaction.atomic():
        return _save_fields(activity, ACTIVITY_FIELDS, values, actor)


def plan_follow_up_add(
    *, actor: User, plan: CompetencePlan, on_date: date, text: str
) -> PlanFollowUp:
    """A note from a follow-up of the plan, by the special educator or the rektor."""
    if not text.strip():
        raise _refuse(_("Skriv vad uppföljningen kom fram till."))
    with transaction.atomic():
        return PlanFollowUp.objects.create(plan=plan, on_date=on_date, text=text, created_by=actor)
