"""The investigation: opened by the rektor, written by its investigators, concluded by an
assessment (SL 3 kap. 7 §; process.md §2.3). The decision that closes it is in
services.decisions."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from elevstod.accounts.models import User
from elevstod.support import workflow as wf
from elevstod.support.models import ActionProgramme, Investigation, InvestigationNeed, Referral
from elevstod.support.services._recording import (
    created,
    following,
    lock_case_for,
    move_case,
    record,
    refuse_unless,
    save_versioned,
)
from elevstod.support.services.drafts import draft_discard
from elevstod.support.services.programmes import programme_draft_from_investigation
from elevstod.support.workflow.investigations import may_withhold_notes

# What a save may change: the text, and the conclusion until the assessment is concluded.
SAVED_FIELDS = (
    frozenset(Investigation.TEXT_FIELDS)
    | frozenset(Investigation.STAFF_ONLY_FIELDS)
    | {"eht_consulted", "special_support_needed"}
)


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
    refuse_unless(wf.may_open_investigation(len(investigator_ids)))
    refuse_unless(wf.may_set_investigation_target(target_on, today))
    with transaction.atomic():
        referral, target = lock_case_for(referral, wf.CaseAction.OPEN_INVESTIGATION)
        investigation = created(
            actor,
            Investigation,
            "investigation.opened",
            today,
            channel,
            referral=referral,
            **following(referral),
            opened_on=today,
            target_on=target_on,
            adaptations_effect=_adaptations_summary(referral),
        )
        named = Investigation.investigators.through
        named.objects.bulk_create(
            named(investigation=investigation, user_id=user_id) for user_id in investigator_ids
        )
        move_case(referral, target)
    return investigation


def _withheld_with_reason(current: Investigation, values: dict[str, Any]) -> wf.Outcome:
    """Working notes are kept from the family only with a ground and a reason (decision 0014);
    a save that leaves a field out keeps what is saved (the API sends no working notes)."""
    merged = {name: values.get(name, getattr(current, name)) for name in current.STAFF_ONLY_FIELDS}
    return may_withhold_notes(
        merged["working_notes"],
        merged["working_notes_withheld_ground"],
        merged["working_notes_withheld_reason"],
    )


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
    refuse_unless(wf.may_edit_investigation(investigation.closed_on is not None))
    values = {key: value for key, value in values.items() if key in SAVED_FIELDS}
    with transaction.atomic():
        # Locked so that a conclusion or a decision made meanwhile is seen (rules 1 and 2).
        current = Investigation.objects.select_for_update().get(pk=investigation.pk)
        refuse_unless(wf.may_edit_investigation(current.closed_on is not None))
        refuse_unless(_withheld_with_reason(current, values))
        refuse_unless(
            wf.may_change_assessment(
                current.assessed_on is not None,
                _conclusion_changed(current, values, needs),
            )
        )
        save_versioned(investigation, expected_version=expected_version, values=values, actor=actor)
        if needs is not None:
            _replace_needs(investigation, needs)
        draft_discard(user=actor, record_type=Investigation.RECORD_TYPE, record_id=investigation.pk)
        record(actor, investigation, "investigation.saved", today, channel)


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
    refuse_unless(wf.may_conclude_assessment(assessment_facts(investigation)))
    with transaction.atomic():
        Investigation.objects.filter(pk=investigation.pk).update(
            assessed_on=today, updated_at=timezone.now(), updated_by=actor
        )
        investigation.refresh_from_db()
        record(actor, investigation, "investigation.assessed", today, channel)
        if investigation.special_support_needed:
            return programme_draft_from_investigation(
                actor=actor,
                investigation=investigation,
                today=today,
                channel=channel,  # api helper: the draft is logged on the caller's channel
            )
    return None
