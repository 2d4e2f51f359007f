"""The pupil's and the guardians' own views on a decision, a programme or a follow-up
(process.md rule 6; SL 3 kap. 9 §: they are offered to take part). Each is posted from the
record's page to a URL of its own and comes back to that page.

The door lets only the family through (policy ADD_OWN_VIEW); staff who see the record get 404.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_stubs_ext import StrOrPromise

from elevstod.access.policy import Relation, SupportAct
from elevstod.access.records import DECISIONS, FOLLOW_UPS, PROGRAMMES, RecordKind
from elevstod.accounts.http import AuthenticatedRequest
from elevstod.support import services
from elevstod.support import workflow as wf
from elevstod.support.forms.participant_views import ParticipantViewForm
from elevstod.support.models import PupilRecord, RecipientKind
from elevstod.support.views._pages import RecordPage, View, refusal_text
from elevstod.support.views.decisions import decision_page
from elevstod.support.views.follow_ups import follow_up_page
from elevstod.support.views.programmes import programme_page

R = TypeVar("R", bound=PupilRecord)

# A record's page, shown again with the family's posted view and the refusal of it, if any.
ShownAgain = Callable[[RecordPage[R], ParticipantViewForm, str], HttpResponse]


def _view_add(kind: RecordKind[R], thanks: StrOrPromise, shown_again: ShownAgain[R]) -> View:
    """The POST view `<record>_view_add`: the view saved, then back to the record's page with
    `thanks`; or its page again with the refusal, pointed at the text box."""
    about = services.VIEW_ABOUT[kind.model]  # programme, decision or follow_up
    name = f"{about}_view_add"

    @login_required
    @require_POST
    def view(request: AuthenticatedRequest, **record_id: uuid.UUID) -> HttpResponse:
        (pk,) = record_id.values()
        page = RecordPage.open(request, kind, pk, name, act=SupportAct.ADD_OWN_VIEW)
        form = ParticipantViewForm(request.POST)
        if not form.is_valid():
            return shown_again(page, form, "")
        pupil_self = Relation.SELF in page.access.relations
        try:
            page.call(
                services.participant_view_add,
                pupil=page.pupil,
                author_kind=RecipientKind.PUPIL if pupil_self else RecipientKind.GUARDIAN,
                text=form.cleaned_data["text"],
                **{about: page.record},
            )
        except wf.RefusalError as error:
            form.fields["text"].widget.attrs.update(
                {"aria-describedby": "refusal", "aria-invalid": "true"}
            )
            return shown_again(page, form, refusal_text(error))
        return page.done(str(thanks))

    view.__name__ = view.__qualname__ = name
    view.__doc__ = f"The pupil or a guardian adds their own view on the {about}."
    return view


decision_view_add = _view_add(
    DECISIONS, _("Tack! Din synpunkt på beslutet är sparad och syns för skolan."), decision_page
)
programme_view_add = _view_add(
    PROGRAMMES, _("Tack! Din synpunkt är sparad i programmet."), programme_page
)
follow_up_view_add = _view_add(
    FOLLOW_UPS,
    _("Tack! Din synpunkt på uppföljningen är sparad och syns för skolan."),
    follow_up_page,
)
