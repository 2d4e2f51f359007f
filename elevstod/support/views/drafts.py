"""Autosaved drafts (process.md rule 7): keeping what a user is typing in a document, and
throwing their own draft away. A draft is never a change to the document itself."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from elevstod.access.context import UserContext, context_for
from elevstod.access.policy import SupportAct
from elevstod.access.records import (
    ADAPTATIONS,
    INVESTIGATIONS,
    PROGRAMMES,
    RecordKind,
    get_support_record_for,
)
from elevstod.accounts.http import AuthenticatedRequest
from elevstod.accounts.models import User
from elevstod.support import services
from elevstod.support import workflow as wf
from elevstod.support.forms.drafts import draft_data
from elevstod.support.models import ActionProgramme, Adaptation, Investigation

# The documents users write at length and may keep a draft of.
Document = Adaptation | Investigation | ActionProgramme


@dataclass(frozen=True)
class DraftKind:
    """A document a user may keep a draft of: who may (the act on the record) and the page the
    draft belongs to."""

    records: RecordKind[Any]
    act: SupportAct
    page: str
    page_kwarg: str


# Keyed by the draft's record type (Draft.record_type, the autosave URL's first part).
DRAFT_KINDS: dict[str, DraftKind] = {
    Adaptation.RECORD_TYPE: DraftKind(
        ADAPTATIONS, SupportAct.MANAGE_ADAPTATIONS, "support:adaptation_detail", "adaptation_id"
    ),
    Investigation.RECORD_TYPE: DraftKind(
        INVESTIGATIONS,
        SupportAct.WRITE_INVESTIGATION,
        "support:investigation_edit",
        "investigation_id",
    ),
    ActionProgramme.RECORD_TYPE: DraftKind(
        PROGRAMMES, SupportAct.DRAFT_PROGRAMME, "support:programme_edit", "programme_id"
    ),
}


def _document(ctx: UserContext, record_type: str, record_id: uuid.UUID, purpose: str) -> Document:
    """The document, for those who may write in it; a programme only while it is a draft
    (decision 0006: a decided document is never changed)."""
    kind = DRAFT_KINDS.get(record_type)
    if kind is None:
        raise Http404
    record: Document
    record, _access = get_support_record_for(
        ctx, kind.records, record_id, act=kind.act, purpose=purpose
    )
    if isinstance(record, ActionProgramme) and record.state != wf.ProgrammeState.DRAFT:
        raise Http404
    return record


@require_POST
def draft_autosave(request: HttpRequest, record_type: str, record_id: uuid.UUID) -> HttpResponse:
    """Keep what the user is typing: 204, never a change to the document.

    An expired session answers 401 with JSON, so that autosave.js keeps the text in the
    browser and asks the user to sign in again in another tab.
    """
    user = request.user
    if not isinstance(user, User):
        return JsonResponse(
            {"code": "session_expired", "message": _("Du är utloggad.")}, status=401
        )
    record = _document(context_for(request), record_type, record_id, "draft_autosave")
    try:
        base_version = int(request.POST.get("version", record.version))
    except ValueError:
        base_version = record.version
    services.draft_autosave(
        user=user,
        record_type=record_type,
        record_id=record.pk,
        base_version=base_version,
        data=draft_data(request.POST),
    )
    return HttpResponse(status=204)


@login_required
@require_POST
def draft_discard(
    request: AuthenticatedRequest, record_type: str, record_id: uuid.UUID
) -> HttpResponse:
    """Throw away the user's own draft and go back to the document as saved."""
    record = _document(context_for(request), record_type, record_id, "draft_discard")
    services.draft_discard(user=request.user, record_type=record_type, record_id=record.pk)
    messages.info(request, _("Utkastet är borttaget."))
    kind = DRAFT_KINDS[record_type]
    return redirect(reverse(kind.page, kwargs={kind.page_kwarg: record.pk}))
