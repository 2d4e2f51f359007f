"""Follow-up and evaluation of a programme (SL 3 kap. 9 §; process.md §2.6): recording one,
reading it; the family's own view on it is participant_views.follow_up_view_add."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils.translation import gettext

from elevstod.access.policy import SupportAct, sees_teaching_part_only
from elevstod.access.records import FOLLOW_UPS, PROGRAMMES
from elevstod.accounts.http import AuthenticatedRequest
from elevstod.support import services
from elevstod.support import workflow as wf
from elevstod.support.forms.follow_ups import FollowUpForm
from elevstod.support.forms.participant_views import ParticipantViewForm
from elevstod.support.models import ActionProgramme, FollowUp
from elevstod.support.selectors.programmes import content_of, measures_of, revision_of
from elevstod.support.views._pages import GET_POST, PROGRAMME, RecordPage, refusal_text


def _due_kind(programme: ActionProgramme) -> wf.FollowUpKind:
    """An evaluation when it is due no later than the next follow-up, else a follow-up."""
    evaluation, follow_up = programme.evaluation_on, programme.follow_up_on
    if evaluation and (follow_up is None or evaluation <= follow_up):
        return wf.FollowUpKind.EVALUATION
    return wf.FollowUpKind.FOLLOW_UP


@login_required
@GET_POST
def follow_up_create(request: AuthenticatedRequest, programme_id: uuid.UUID) -> HttpResponse:
    """Follow up or evaluate each measure; the outcome is continue, revise or close."""
    act = SupportAct.RECORD_FOLLOW_UP
    page = RecordPage.open(request, PROGRAMMES, programme_id, "follow_up_create", act=act)
    programme = page.record
    in_force = programme.state == wf.ProgrammeState.IN_FORCE
    form = FollowUpForm(
        request.POST or None,
        measures=measures_of(content_of(programme)),
        initial={"kind": _due_kind(programme), "outcome": wf.FollowUpOutcome.CONTINUE},
    )
    refusal = ""
    if request.method == "POST" and in_force and form.is_valid():
        try:
            evaluation = form.cleaned_data["kind"] == wf.FollowUpKind.EVALUATION
            return page.save(
                gettext("Utvärderingen är sparad.")
                if evaluation
                else gettext("Uppföljningen är sparad."),
                services.follow_up_record,
                programme=programme,
                kind=form.cleaned_data["kind"],
                reviews=form.reviews(),
                outcome=form.cleaned_data["outcome"],
                values=form.values(),
                next_on=form.cleaned_data["next_on"],
            )
        except wf.RefusalError as error:
            refusal = refusal_text(error)
    return page.render(
        PROGRAMME + "follow_up_create.html",
        programme=programme,
        in_force=in_force,
        form=form,
        refusal=refusal,
        not_in_force=gettext("Bara ett gällande åtgärdsprogram följs upp."),
    )


def follow_up_page(
    page: RecordPage[FollowUp], form: ParticipantViewForm | None = None, refusal: str = ""
) -> HttpResponse:
    """A follow-up or evaluation, measure by measure; the family may add their view on it.

    A teacher who is only a teacher sees the teaching part (process.md §4): the dates, the
    outcome and the review of each measure (their own first), and the voices, participation
    and summary only of a follow-up they recorded themselves.
    """
    follow_up = page.record
    programme = follow_up.programme
    user_id = page.request.user.pk
    teaching_only = sees_teaching_part_only(page.access.relations)
    # Each measure's review, in the programme's order, as the door prefetched it.
    reviews = list(follow_up.reviews.all())
    if teaching_only:
        reviews.sort(key=lambda review: review.measure.responsible_id != user_id)
    revise = follow_up.outcome == wf.FollowUpOutcome.REVISE and not page.is_family
    return page.render(
        PROGRAMME + "follow_up_detail.html",
        follow_up=follow_up,
        programme=programme,
        reviews=reviews,
        revision=revision_of(programme) if revise else None,
        acts={
            **page.offers(SupportAct.DRAFT_PROGRAMME),
            SupportAct.DECIDE.value: page.may_decide(wf.DecisionKind.ACTION_PROGRAMME_CLOSURE),
        },
        shows_voices=not teaching_only or follow_up.created_by_id == user_id,
        # The family's own views are never the teacher's own work.
        views=[] if teaching_only else list(follow_up.participant_views.all()),
        form=form or ParticipantViewForm(),
        refusal=refusal,
        may_add_view=page.may(SupportAct.ADD_OWN_VIEW),
        mark_user_id=user_id if teaching_only else None,
    )


follow_up_detail = RecordPage.view("follow_up_detail", FOLLOW_UPS, follow_up_page)
