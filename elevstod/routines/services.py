"""Every change to routines and deviation reports. The only writers of this app.

Each service is keyword-only and atomic. Callers pass objects already checked by
elevstod.access.policy and the acting user. Changes are attributed (created_by/updated_by,
timestamps, and for deviation reports a status-change row); a change that touches a pupil writes
its access-log row in the same transaction (security.md P1). A refusal raises RefusalError with a
Swedish message the page shows as it is.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, timedelta
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from elevstod.access.policy import Relation
from elevstod.accounts.models import User
from elevstod.audit.models import AccessAction
from elevstod.audit.recording import record_access, record_access_to
from elevstod.routines import rules
from elevstod.routines.models import (
    COUNTERPART_FIELDS,
    NATURE_FIELDS,
    DeviationReport,
    DeviationStatus,
    DeviationStatusChange,
    Routine,
    RoutineReview,
    RoutineVersion,
    kind_flags,
)
from elevstod.routines.notifications import enqueue_leaders_notice

DEVIATION_RECORD = "deviation_report"
DEVIATION_EXPORT_RECORD = "deviation_export"


class RefusalError(Exception):
    """The change is not allowed as asked; `message` says why, in Swedish."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class VersionConflictError(RefusalError):
    """Someone published a newer version since the form was opened. Nothing was written."""

    def __init__(self, *, current: RoutineVersion) -> None:
        super().__init__(
            _(
                "Någon annan har publicerat version %(number)s av rutinen medan du skrev. "
                "Din text finns kvar nedan: jämför med den nya versionen och spara igen."
            )
            % {"number": current.number}
        )
        self.current = current


# ----------------------------------------------------------------------------- routines


TEXT_FIELDS = ("title", "purpose", "content")


def _check_review_date(review_by: date, approved_on: date) -> None:
    if review_by <= approved_on:
        raise RefusalError(_("Nästa granskning måste ligga efter dagen då rutinen fastställdes."))
    if review_by > approved_on + timedelta(days=rules.MAX_REVIEW_INTERVAL_DAYS):
        raise RefusalError(_("Nästa granskning får ligga högst tre år fram i tiden."))


def _publish(
    routine: Routine,
    *,
    number: int,
    text: dict[str, str],
    approved_on: date,
    actor: User,
    change_note: str = "",
) -> RoutineVersion:
    """Version `number` of the routine: its title, purpose and content as approved."""
    return RoutineVersion.objects.create(
        routine=routine,
        number=number,
        change_note=change_note,
        approved_on=approved_on,
        created_by=actor,
        **text,
    )


def routine_create(
    *,
    actor: User,
    school_unit_id: uuid.UUID | None,
    provider_id: uuid.UUID | None,
    category: str,
    owner: User,
    title: str,
    purpose: str,
    content: str,
    approved_on: date,
    review_by: date,
) -> Routine:
    """A new routine with its first version, published as written."""
    if (school_unit_id is None) == (provider_id is None):
        raise ValueError("a routine belongs to a school unit or to a huvudman, not both")
    _check_review_date(review_by, approved_on)
    with transaction.atomic():
        routine = Routine.objects.create(
            school_unit_id=school_unit_id,
            provider_id=provider_id,
            category=category,
            owner=owner,
            review_by=review_by,
            reviewed_on=approved_on,
            created_by=actor,
            updated_by=actor,
        )
        version = _publish(
            routine,
            number=1,
            text={"title": title, "purpose": purpose, "content": content},
            approved_on=approved_on,
            actor=actor,
        )
        routine.current_version = version
        routine.save(update_fields=["current_version", "updated_at"])
    return routine


def _locked_routine(routine: Routine) -> tuple[Routine, RoutineVersion]:
    """The routine locked for this change, with the version in force."""
    locked = (
        Routine.objects.select_for_update(of=("self",))
        .select_related("current_version")
        .get(pk=routine.pk)
    )
    current = locked.current_version
    assert current is not None  # every routine is created with its first version
    return locked, current


def _save_routine(locked: Routine, *, actor: User, **changes: Any) -> None:
    """Write the routine's own fields, attributed; its versions are never edited."""
    Routine.objects.filter(pk=locked.pk).update(
        **changes, updated_by=actor, updated_at=timezone.now()
    )


def _check_revision(
    locked: Routine,
    current: RoutineVersion,
    *,
    base_version: int,
    category: str,
    new_text: dict[str, str],
    approved_on: date,
) -> None:
    """Refuse a revision that was written against an older version, changes nothing, or
    would be approved before the version it replaces."""
    if current.number != base_version:
        raise VersionConflictError(current=current)
    if category == locked.category and all(
        getattr(current, name) == value for name, value in new_text.items()
    ):
        raise RefusalError(
            _(
                "Texten är densamma som i den gällande versionen. Om rutinen gäller "
                "oförändrad: markera den som granskad i stället."
            )
        )
    if approved_on < current.approved_on:
        raise RefusalError(_("Den nya versionen kan inte fastställas före den gällande versionen."))


def routine_revise(
    *,
    actor: User,
    routine: Routine,
    base_version: int,
    title: str,
    purpose: str,
    content: str,
    change_note: str,
    category: str,
    owner: User,
    approved_on: date,
    review_by: date,
) -> RoutineVersion:
    """Publish the next version. The published one stays as it was (seed 001 § 9: routines are
    reviewed and revised; the history shows what changed, when and by whom).

    Refuses when someone else published since `base_version` was read, and when the text is
    the same as in force (that is a review: routine_mark_reviewed).
    """
    if not change_note.strip():
        raise RefusalError(_("Skriv vad som har ändrats i den nya versionen."))
    _check_review_date(review_by, approved_on)
    new_text = {"title": title, "purpose": purpose, "content": content}
    with transaction.atomic():
        locked, current = _locked_routine(routine)
        _check_revision(
            locked,
            current,
            base_version=base_version,
            category=category,
            new_text=new_text,
            approved_on=approved_on,
        )
        version = _publish(
            locked,
            number=current.number + 1,
            text=new_text,
            change_note=change_note,
            approved_on=approved_on,
            actor=actor,
        )
        _save_routine(
            locked,
            actor=actor,
            current_version=version,
            category=category,
            owner=owner,
            review_by=review_by,
            reviewed_on=approved_on,
        )
    routine.refresh_from_db()
    return version


def routine_mark_reviewed(
    *,
    actor: User,
    routine: Routine,
    reviewed_on: date,
    next_review_by: date,
    owner: User,
    note: str = "",
) -> RoutineReview:
    """The routine was reviewed and still holds: who, when, and the next review date."""
    _check_review_date(next_review_by, reviewed_on)
    with transaction.atomic():
        locked, version = _locked_routine(routine)
        if reviewed_on < version.approved_on:
            raise RefusalError(
                _("Granskningen kan inte ligga före dagen då den gällande versionen fastställdes.")
            )
        review = RoutineReview.objects.create(
            routine=locked,
            version_number=version.number,
            reviewed_on=reviewed_on,
            next_review_by=next_review_by,
            note=note,
            created_by=actor,
        )
        _save_routine(
            locked, actor=actor, review_by=next_review_by, reviewed_on=reviewed_on, owner=owner
        )
    routine.refresh_from_db()
    return review


def routine_reminder_claim(*, routine: Routine, now: Any = None) -> bool:
    """Mark the routine as reminded for its current review date, unless it already is.

    Returns whether this caller claimed it: two workers running the same day never send the
    same reminder twice (one e-mail per routine and review date).
    """
    claimed = (
        Routine.objects.filter(pk=routine.pk, review_by=routine.review_by)
        .exclude(reminded_for=routine.review_by)
        .update(reminded_for=routine.review_by, reminded_at=now or timezone.now())
    )
    return claimed == 1


def routine_reminder_release(*, routine: Routine, previous: date | None) -> None:
    """Undo a claim whose e-mail could not be sent, so the next run tries again."""
    Routine.objects.filter(pk=routine.pk, reminded_for=routine.review_by).update(
        reminded_for=previous, reminded_at=None
    )


# ----------------------------------------------------------------------------- deviations


def _check_new_report(
    *,
    counterparts: set[str],
    natures: set[str],
    occurred_on: date,
    today: date,
    pupil_id: uuid.UUID | None,
    pupil_reason: str,
) -> None:
    if not counterparts or not counterparts <= set(COUNTERPART_FIELDS):
        raise RefusalError(_("Ange vilken eller vilka verksamheter samverkansproblemet gäller."))
    if not natures or not natures <= set(NATURE_FIELDS):
        raise RefusalError(_("Ange vilken sorts avvikelse det är."))
    if occurred_on > today:
        raise RefusalError(_("Dagen då det inträffade kan inte ligga i framtiden."))
    if pupil_id is not None and not pupil_reason.strip():
        raise RefusalError(_("Ange varför rapporten behöver uppgifter om eleven."))


def deviation_report_create(
    *,
    actor: User,
    school_unit_id: uuid.UUID,
    occurred_on: date,
    counterparts: Iterable[str],
    natures: Iterable[str],
    description: str,
    tried_locally: str,
    today: date,
    pupil_id: uuid.UUID | None = None,
    pupil_reason: str = "",
    acting_role: str = "",
) -> DeviationReport:
    """File a deviation report; it goes to the unit's leaders (seed 001, last page).

    A pupil is linked only with a stated reason. The caller has checked that the reporter may
    see the pupil; the link is a write of pupil data and is logged with the pupil's id.
    """
    counterparts, natures = set(counterparts), set(natures)
    _check_new_report(
        counterparts=counterparts,
        natures=natures,
        occurred_on=occurred_on,
        today=today,
        pupil_id=pupil_id,
        pupil_reason=pupil_reason,
    )
    with transaction.atomic():
        report = DeviationReport.objects.create(
            school_unit_id=school_unit_id,
            occurred_on=occurred_on,
            description=description,
            tried_locally=tried_locally,
            concerns_pupil=pupil_id is not None,
            pupil_id=pupil_id,
            pupil_reason=pupil_reason if pupil_id is not None else "",
            created_by=actor,
            updated_by=actor,
            **kind_flags(counterparts, natures),
        )
        DeviationStatusChange.objects.create(
            report=report, from_status="", to_status=DeviationStatus.REPORTED, created_by=actor
        )
        if pupil_id is not None:
            # The report names a pupil: writing it is a write of that pupil's data (P1).
            record_access_to(
                report,
                actor_id=actor.pk,
                action=AccessAction.CREATE,
                record_type=DEVIATION_RECORD,
                acting_role=acting_role,
                purpose="deviation_create",
            )
        # The report is routed to the unit's leaders: tell them once it is saved.
        transaction.on_commit(partial(enqueue_leaders_notice, report.pk))
    return report


def _status_fields(
    report: DeviationReport,
    to_status: str,
    *,
    today: date,
    ksl_reported_on: date | None,
    outcome: str,
) -> dict[str, Any]:
    """The report's fields after the step, refusing a step that lacks what it requires."""
    if not rules.may_move(report.status, to_status):
        raise RefusalError(
            _("Rapporten har redan fått en annan status. Ladda om sidan och försök igen.")
        )
    fields: dict[str, Any] = {"status": to_status}
    if to_status in rules.REQUIRES_KSL_DATE:
        if ksl_reported_on is None:
            raise RefusalError(_("Ange dagen då avvikelsen rapporterades till KSL."))
        if ksl_reported_on > today:
            raise RefusalError(_("Dagen för rapporten till KSL kan inte ligga i framtiden."))
        if ksl_reported_on < report.occurred_on:
            raise RefusalError(
                _("Dagen för rapporten till KSL kan inte ligga före dagen då det inträffade.")
            )
        fields["ksl_reported_on"] = ksl_reported_on
    if to_status in rules.REQUIRES_OUTCOME:
        if not outcome.strip():
            raise RefusalError(_("Beskriv utfallet innan rapporten avslutas."))
        fields["outcome"] = outcome
        fields["closed_on"] = today
    return fields


def deviation_status_change(
    *,
    actor: User,
    report: DeviationReport,
    to_status: str,
    today: date,
    ksl_reported_on: date | None = None,
    outcome: str = "",
    note: str = "",
) -> DeviationStatusChange:
    """Move the report one step in its handling (rules.TRANSITIONS)."""
    with transaction.atomic():
        locked = DeviationReport.objects.select_for_update().get(pk=report.pk)
        fields = _status_fields(
            locked, to_status, today=today, ksl_reported_on=ksl_reported_on, outcome=outcome
        )
        change = DeviationStatusChange.objects.create(
            report=locked,
            from_status=locked.status,
            to_status=to_status,
            note=note,
            created_by=actor,
        )
        DeviationReport.objects.filter(pk=locked.pk).update(
            **fields, updated_by=actor, updated_at=timezone.now()
        )
        if locked.concerns_pupil:
            record_access_to(
                locked,
                actor_id=actor.pk,
                action=AccessAction.UPDATE,
                record_type=DEVIATION_RECORD,
                # Only the unit's leaders handle reports (policy.can_handle_deviation).
                acting_role=Relation.PRINCIPAL.value,
                purpose=f"deviation_status:{to_status}",
            )
    report.refresh_from_db()
    return change


def deviation_export_record(
    *,
    actor: User,
    export_format: str,
    rows: int,
    school_unit_id: uuid.UUID | None = None,
) -> None:
    """Every export is logged (security.md P1). The export holds no pupil data, so no pupil."""
    record_access(
        actor_id=actor.pk,
        action=AccessAction.EXPORT,
        record_type=DEVIATION_EXPORT_RECORD,
        school_unit_id=school_unit_id,
        purpose=f"{export_format}:{rows}",
    )
