"""What every page of the support chain shares: how it gets its pupil or record, what it shows
of them, how an act posted on it ends, and how a concurrent save is shown (decision 0006).

Every page is thin. It gets its record through elevstod.access.records (the one door: it logs
the read and gives the same 404 for missing, forbidden and an act the user may not do;
`RecordPage.open`, and `RecordPage.view` for a page that only reads), or, for a record not
written yet, its pupil through elevstod.access.lookup (`Page.for_act`). A GET page only reads;
each act posts to a URL and view of its own, which calls ONE service (`Page.call`) and redirects
(`Page.done`; both at once, `Page.save`: POST/redirect/GET), or shows the page again with
everything typed and, when the workflow refuses, the rule's message and paragraph
(`refusal_text`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_safe

from elevstod.access.context import context_for
from elevstod.access.lookup import PupilAccess, get_pupil_for
from elevstod.access.policy import (
    SupportAct,
    SupportRecord,
    can_view_support_record,
    sees_teaching_part_only,
)
from elevstod.access.records import (
    RecordKind,
    get_support_record_for,
    may_act_on,
    require_act,
)
from elevstod.accounts.http import AuthenticatedRequest
from elevstod.audit.models import AccessAction
from elevstod.people.models import Pupil
from elevstod.support import services
from elevstod.support import workflow as wf
from elevstod.support.models import PupilRecord
from elevstod.support.selectors.support_page import RECORD_PAGES, is_family_view
from elevstod.support.services.decisions import may_decide_at
from elevstod.support.workflow.decisions import NO_DELEGATION

# The two halves' template folders: concern → investigation, decision → appeal.
CHAIN = "support/chain/"
PROGRAMME = "support/programme/"
REFUSED = 409  # the workflow or a concurrent save refused; the page keeps what was typed
GET_POST = require_http_methods(["GET", "POST"])

R = TypeVar("R", bound=PupilRecord)
M = TypeVar("M", bound=PupilRecord)
S = TypeVar("S")
View = Callable[..., HttpResponse]


def today() -> date:
    return timezone.localdate()


def refusal_text(error: wf.RefusalError) -> str:
    """The rule's message with its paragraph, in the user's language."""
    return error.refusal.text(gettext)


def record_page(record: PupilRecord) -> str:
    """The URL of the record's own page."""
    url_name, url_kwarg = RECORD_PAGES[SupportRecord(record.RECORD_TYPE)]
    return reverse(url_name, kwargs={url_kwarg: record.pk})


@dataclass(frozen=True)
class Page:
    """A page about a pupil this request may see: what every page shows of them, and how an
    act posted on the page ends."""

    request: AuthenticatedRequest
    access: PupilAccess

    @property
    def pupil(self) -> Pupil:
        return self.access.pupil

    @property
    def is_family(self) -> bool:
        """The pupil or a guardian, with no staff relation: the family's plain version."""
        return is_family_view(self.access.relations)

    def context(self, **context: Any) -> dict[str, Any]:
        """The pupil and what this user sees of the support, and the page's own `context`."""
        relations = self.access.relations
        return {
            "pupil": self.pupil,
            "access": self.access,
            "is_family": self.is_family,
            # A teacher who is only a teacher sees the teaching part (process.md §4).
            "teaching_only": sees_teaching_part_only(relations),
            # Teachers see the programme they carry out but not the decision file (policy.py):
            # a link they could not follow is not shown.
            "sees_decisions": can_view_support_record(relations, SupportRecord.DECISION),
            **context,
        }

    @staticmethod
    def for_act(
        request: AuthenticatedRequest,
        pupil_id: uuid.UUID,
        act: SupportAct,
        *,
        record_type: str,
        purpose: str,
    ) -> Page:
        """The pupil, for a page that records something new about them (an act on the pupil
        rather than on a record): the read and a refused act are both logged; both give 404."""
        ctx = context_for(request)
        access = get_pupil_for(ctx, pupil_id, record_type=record_type, purpose=purpose)
        require_act(ctx, access, act, record_type, purpose=purpose)
        return Page(request, access)

    def render(self, template: str, *, status: int = 200, **context: Any) -> HttpResponse:
        return render(self.request, template, self.context(**context), status=status)

    def call(self, service: Callable[..., S], /, **values: Any) -> S:
        """The act's ONE service call, by the signed-in user, today."""
        return service(actor=self.request.user, today=today(), **values)

    def save(
        self, thanks: str, service: Callable[..., PupilRecord], /, **values: Any
    ) -> HttpResponse:
        """The act's ONE service call, then `thanks` on the page of the record it saved."""
        return self.done(thanks, self.call(service, **values))

    def done(self, thanks: str, to: PupilRecord | str) -> HttpResponse:
        """The act is done: say so, then go to the record's page or the URL `to`."""
        messages.success(self.request, thanks)
        return redirect(to if isinstance(to, str) else record_page(to))


@dataclass(frozen=True)
class RecordPage(Page, Generic[R]):
    """A record's page, its record through the one door."""

    record: R

    @staticmethod
    def open(
        request: AuthenticatedRequest,
        kind: RecordKind[M],
        record_id: uuid.UUID,
        purpose: str,
        *,
        act: SupportAct | None = None,
        action: AccessAction = AccessAction.VIEW,
        whole_record: bool = False,
    ) -> RecordPage[M]:
        """The record's page through the one door (logged), or 404. `act`: the page does this
        with the record; `whole_record`: it shows the record whole (get_support_record_for)."""
        record, access = get_support_record_for(
            context_for(request),
            kind,
            record_id,
            act=act,
            action=action,
            purpose=purpose,
            whole_record=whole_record,
        )
        return RecordPage(request, access, record)

    @staticmethod
    def view(
        name: str,
        kind: RecordKind[M],
        show: Callable[[RecordPage[M]], HttpResponse],
        *,
        action: AccessAction = AccessAction.VIEW,
        whole_record: bool = False,
    ) -> View:
        """The GET view `name` of a record (its URL's one argument is the record's id): the
        record through the one door, logged with `name` as its purpose, then `show`n."""

        @login_required
        @require_safe
        def view(request: AuthenticatedRequest, **record_id: uuid.UUID) -> HttpResponse:
            (pk,) = record_id.values()
            page = RecordPage.open(
                request, kind, pk, name, action=action, whole_record=whole_record
            )
            return show(page)

        view.__name__ = view.__qualname__ = name
        view.__module__, view.__doc__ = show.__module__, show.__doc__
        return view

    def may(self, act: SupportAct) -> bool:
        """Whether the page may offer `act` on the record (`records.may_act_on`)."""
        return may_act_on(self.access, self.record, act)

    def may_decide(self, *kinds: wf.DecisionKind) -> bool:
        """Whether the page may offer a decision of one of `kinds` on the record: the policy
        lets the user reach the decision (`may`), they see the record whole (not a teacher who
        sees only the teaching part), and they are the rektor or hold a delegation in force at
        the pupil's unit today that covers it (SL 2 kap. 10 §), as the decision itself checks."""
        if not self.may(SupportAct.DECIDE) or sees_teaching_part_only(self.access.relations):
            return False
        day, unit_id = today(), self.record.school_unit_id
        # The request's access context has read the user's duties for today from the register.
        ctx = context_for(self.request)
        duties = (
            frozenset(duty for duty, unit in ctx.unit_duties if unit == unit_id)
            if ctx.today == day
            else None
        )
        return may_decide_at(
            actor=self.request.user, school_unit_id=unit_id, kinds=kinds, day=day, duties=duties
        )

    def require_decider(self, *kinds: wf.DecisionKind) -> None:
        """Refuse, with the workflow's own rule, a step only the decision-maker takes (the
        communication before the decision, FL 25 §) to someone who may not decide."""
        if not self.may_decide(*kinds):
            raise wf.RefusalError(NO_DELEGATION)

    def offers(self, *acts: SupportAct) -> dict[str, bool]:
        """What the page may offer on the record, by act name, for the template."""
        return {act.value: self.may(act) for act in acts}

    def done(self, thanks: str, to: PupilRecord | str | None = None) -> HttpResponse:
        """The act is done: say so, then back to the record's page (or to `to`)."""
        return super().done(thanks, self.record if to is None else to)


# ----------------------------------------------------------------------------- concurrent saves


def with_version(posted: QueryDict, version: int) -> QueryDict:
    """The user's own input, now based on the saved version `version`."""
    data = posted.copy()
    data["version"] = str(version)
    return data


@dataclass(frozen=True)
class Conflict:
    """Someone saved the document since this user opened it: the form again, now on the saved
    version, and per text field both texts (process.md rule 7; never a silent overwrite)."""

    data: QueryDict
    rows: list[dict[str, Any]]


def conflict_of(
    error: services.EditConflictError,
    posted: QueryDict,
    form: forms.Form,
    text_fields: tuple[str, ...],
) -> Conflict:
    """The user's own input, now based on the saved version, and each text field where the
    saved text differs from what this user typed: saving again is a choice made after seeing
    both texts."""
    rows = []
    for name in text_fields:
        theirs = error.theirs.get(name)
        mine = error.mine.get(name)
        if name in error.mine and (theirs or "") != (mine or ""):
            rows.append(
                {"name": name, "label": form.fields[name].label, "theirs": theirs, "mine": mine}
            )
    return Conflict(data=with_version(posted, error.version), rows=rows)
