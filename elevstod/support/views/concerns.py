"""Pages for concerns (SL 3 kap. 5 §): staff record a concern, the pupil or a guardian tells the
school, and a concern is closed when nothing more needs doing."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from elevstod.access.context import context_for
from elevstod.access.lookup import get_pupil_for
from elevstod.access.policy import Relation, SupportAct
from elevstod.access.records import CONCERNS, require_act
from elevstod.accounts.http import AuthenticatedRequest
from elevstod.support import services
from elevstod.support import workflow as wf
from elevstod.support.forms.concerns import ConcernCloseForm, ConcernForm, FamilyConcernForm
from elevstod.support.labels import CONCERN_STATE_LABELS, label
from elevstod.support.models import Concern, RaisedBy
from elevstod.support.selectors.concerns import led_to
from elevstod.support.views._pages import CHAIN, REFUSED, Page, RecordPage, refusal_text


def _for_pupil(request: AuthenticatedRequest, pupil_id: uuid.UUID) -> Page:
    """The pupil, for staff who record a concern (SL 3 kap. 5 §) or the pupil or a guardian who
    tells the school (process.md §1, S1): a refused act is logged and gives a 404."""
    ctx = context_for(request)
    access = get_pupil_for(ctx, pupil_id, record_type=Concern.RECORD_TYPE, purpose="concern_create")
    page = Page(request, access)
    act = SupportAct.SUBMIT_CONCERN if page.is_family else SupportAct.RAISE_CONCERN
    require_act(ctx, access, act, Concern.RECORD_TYPE, purpose="concern_create")
    return page


@login_required
def concern_create(request: AuthenticatedRequest, pupil_id: uuid.UUID) -> HttpResponse:
    """Staff record a concern (SL 3 kap. 5 §); the pupil or a guardian may tell the school."""
    page = _for_pupil(request, pupil_id)
    family = page.is_family
    form_class: type[forms.Form] = FamilyConcernForm if family else ConcernForm
    form = form_class(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        unit_id = page.access.school_unit_id
        if unit_id is not None:
            return _created(page, _create(page, unit_id, form.cleaned_data))
        error = _("Eleven har ingen aktuell skolenhet. Kontakta skolan direkt.")
    return page.render(CHAIN + "concern_form.html", form=form, family=family, error=error)


def _create(page: Page, unit_id: uuid.UUID, data: dict[str, str]) -> Concern:
    """Staff say where the concern comes from; the family's is their own (RaisedBy)."""
    source: str
    if page.is_family:
        source = wf.ConcernSource.PUPIL_OR_GUARDIAN
        self_or_guardian = Relation.SELF in page.access.relations
        raised_by = RaisedBy.PUPIL if self_or_guardian else RaisedBy.GUARDIAN
    else:
        source, raised_by = data["source"], RaisedBy.STAFF
    return page.call(
        services.concern_create,
        pupil=page.pupil,
        school_unit_id=unit_id,
        source=source,
        raised_by_kind=raised_by,
        subject=data["subject"],
        description=data["description"],
    )


def _created(page: Page, concern: Concern) -> HttpResponse:
    """The family is thanked on the pupil's page; staff go on to the concern."""
    if page.is_family:
        thanks = _("Tack. Skolan har fått veta din oro och återkommer till dig.")
        return page.done(thanks, reverse("support:pupil_support", args=[concern.pupil_id]))
    return page.done(_("Oron är registrerad."), concern)


def _concern_page(
    page: RecordPage[Concern], form: ConcernCloseForm | None = None, refusal: str = ""
) -> HttpResponse:
    """A concern, what it led to, and closing it when nothing more needs doing."""
    concern = page.record
    return page.render(
        CHAIN + "concern_detail.html",
        status=REFUSED if refusal else 200,
        concern=concern,
        state_label=label(CONCERN_STATE_LABELS, concern.state),
        form=form or ConcernCloseForm(),
        refusal=refusal,
        is_open=concern.state == wf.ConcernState.OPEN,
        may_manage=page.may(SupportAct.MANAGE_ADAPTATIONS),
        may_refer=page.may(SupportAct.REFER),
        led_to=led_to(concern),
    )


@login_required
@require_POST
def concern_close(request: AuthenticatedRequest, concern_id: uuid.UUID) -> HttpResponse:
    """Close the concern: the school has looked into it and nothing more needs doing."""
    act = SupportAct.MANAGE_ADAPTATIONS
    page = RecordPage.open(request, CONCERNS, concern_id, "concern_close", act=act)
    form = ConcernCloseForm(request.POST)
    if not form.is_valid():
        return _concern_page(page, form)
    try:
        page.call(services.concern_close, concern=page.record, reason=form.cleaned_data["reason"])
    except wf.RefusalError as error:
        return _concern_page(page, form, refusal_text(error))
    return page.done(_("Oron är avslutad."))


concern_detail = RecordPage.view("concern_detail", CONCERNS, _concern_page)
