"""The pupil's support page: level, what is due, adaptations, concerns, cases and the whole
chain as one timeline (process.md §1–2). The family sees the plain version."""

from __future__ import annotations

import uuid
from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from elevstod.access.context import context_for
from elevstod.access.lookup import get_pupil_for
from elevstod.access.policy import (
    Relation,
    SupportAct,
    SupportRecord,
    can_act,
    can_view_support_record,
)
from elevstod.accounts.http import AuthenticatedRequest
from elevstod.people.models import Pupil
from elevstod.support.due import due_for_pupil
from elevstod.support.labels import SUPPORT_LEVEL_LABELS
from elevstod.support.selectors.support_page import (
    SupportPage,
    record_url,
    support_page,
    visible_due,
)
from elevstod.support.services.decisions import pupil_standing
from elevstod.support.views._pages import CHAIN, today

# The buttons the page offers, each with the act it needs (policy.SUPPORT_ACTORS).
PAGE_ACTS = {
    "raise_concern": SupportAct.RAISE_CONCERN,
    "submit_concern": SupportAct.SUBMIT_CONCERN,
    "manage_adaptations": SupportAct.MANAGE_ADAPTATIONS,
    "refer": SupportAct.REFER,
}


def sees_adaptations(relations: frozenset[Relation]) -> bool:
    """Adaptations are the widest record: every relation to the pupil sees them."""
    return can_view_support_record(relations, SupportRecord.ADAPTATION)


@login_required
@require_safe
def pupil_support(request: AuthenticatedRequest, pupil_id: uuid.UUID) -> HttpResponse:
    """The pupil's support at a glance. The family sees it without work in progress."""
    ctx = context_for(request)
    access = get_pupil_for(
        ctx, pupil_id, record_type="support_page", purpose="support_page", allow=sees_adaptations
    )
    rels = access.relations
    page = support_page(access.pupil, rels, user_id=ctx.user_id)
    day = today()
    due = (
        []
        if page.family
        else visible_due(
            due_for_pupil(pupil_id=access.pupil.pk, today=day), rels, page.participant_ids
        )
    )
    programme_url = (
        record_url("support:programme_detail", "programme_id", page.programme.id)
        if page.programme
        else ""
    )
    return render(
        request,
        CHAIN + "pupil_support.html",
        {
            "pupil": access.pupil,
            "page": page,
            "level_label": SUPPORT_LEVEL_LABELS[page.level],
            "levels": [
                {"value": level.value, "label": text, "current": level == page.level}
                for level, text in SUPPORT_LEVEL_LABELS.items()
            ],
            "due": due,
            "overdue": sum(1 for item in due if item.overdue),
            "today": day,
            "may": {name: can_act(rels, act) for name, act in PAGE_ACTS.items()},
            "programme_url": programme_url,
            "family_standing": _family_standing(page, access.pupil, rels, day),
            # The reporter sees the case, but its investigation only as one of its investigators.
            "opens_investigations": can_view_support_record(
                rels, SupportRecord.INVESTIGATION, family_may_see=False
            ),
        },
    )


def _family_standing(
    page: SupportPage, pupil: Pupil, rels: frozenset[Relation], day: date
) -> dict[str, bool]:
    """Who appeals for the pupil, said to the family beside the decisions (SL 29 kap. 12 §):
    as at the unit of the latest decision."""
    if not (page.family and page.decisions):
        return {}
    latest = page.decisions[0]
    standing = pupil_standing(
        pupil_id=pupil.pk, school_unit_id=latest.school_unit_id, day=day, born_on=pupil.birth_date
    )
    return {"is_pupil": Relation.SELF in rels, "pupil_acts_alone": standing.acts_alone}
