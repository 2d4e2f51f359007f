"""The support chain's documents as PDF (process.md §2.3–2.7), rendered with WeasyPrint.

One function per document returns `(filename, pdf_bytes)`:

- `investigation_pdf`: pedagogisk utredning (kartläggning and pedagogisk bedömning)
- `decision_pdf`: a decision, its template chosen by `Decision.kind`; a decision on an
  åtgärdsprogram carries the programme itself
- `programme_pdf`: an åtgärdsprogram with the decision that adopted it, if any
- `follow_up_pdf`: uppföljning or utvärdering, per measure

The callers authorise and log. These functions take model instances the caller has already
checked access to, and they neither check access nor write the audit log (export and print are
logged actions, process.md §4): the view or API endpoint that serves the file does both, in one
place, so this module stays a pure renderer. Do not call them with an instance the user has not
been allowed to see.

Each function loads what its document needs with a fixed number of queries (select_related and
prefetch_related), so only the document's own rows add to the work, never the number of queries.

Privacy: filenames carry no personal data (a document type, a version or a short id), a pupil
with protected identity is shown by name and birth date only, and no address is ever printed.
Rendering never touches the network: the URL fetcher accepts only file: and data: URLs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, NamedTuple, TypeVar

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext_noop
from django_stubs_ext import StrOrPromise
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from elevstod.people.models import Placement, Pupil
from elevstod.support import workflow as wf
from elevstod.support.models import (
    ActionProgramme,
    Decision,
    FollowUp,
    Investigation,
    MeasureReview,
    ParticipantView,
    ProgrammeMeasure,
    ProgrammeNeed,
)

TEMPLATE_DIR = "documents/pdf"
LOCAL_PROTOCOLS = ("file", "data")

DECISION_TEMPLATES: dict[str, str] = {
    wf.DecisionKind.ACTION_PROGRAMME: f"{TEMPLATE_DIR}/decision_action_programme.html",
    wf.DecisionKind.NO_ACTION_PROGRAMME: f"{TEMPLATE_DIR}/decision_no_action_programme.html",
    wf.DecisionKind.ACTION_PROGRAMME_CLOSURE: f"{TEMPLATE_DIR}/decision_closure.html",
}

# Settings the principal decides personally (SL 3 kap. 9 § andra stycket); the programme shows
# their extra fields (särskilda skäl, period, place, deviations, return plan).
RESERVED_SETTINGS = frozenset(setting.value for setting in wf.RESERVED_SETTINGS)

PROGRAMME_RELATED = ("previous", "investigation", "follow_up_responsible", "evaluation_responsible")


Record = Investigation | Decision | ActionProgramme | FollowUp
_R = TypeVar("_R", bound=Record)


class _Document(NamedTuple):
    filename: str
    template_name: str
    context: dict[str, Any]


# --------------------------------------------------------------------------- rendering


def url_fetcher() -> URLFetcher:
    """A fetcher that refuses everything but file: and data: URLs (no network, no redirects)."""
    return URLFetcher(allowed_protocols=LOCAL_PROTOCOLS, allow_redirects=False, timeout=5)


def render_html(template_name: str, context: dict[str, Any]) -> str:
    # A decision or programme is an official document: it is written in Swedish whatever
    # language the reader's interface uses (språklagen 10 §), so the render pins the language.
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(template_name, context)


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    html = render_html(template_name, context)
    pdf = HTML(string=html, url_fetcher=url_fetcher()).write_pdf()
    assert pdf is not None  # write_pdf returns the bytes when no target is given
    return pdf


def _render(document: _Document) -> tuple[str, bytes]:
    return document.filename, render_pdf(document.template_name, document.context)


# --------------------------------------------------------------------------- the documents


def _in_swedish(build: Callable[[_R], _Document], record: _R) -> tuple[str, bytes]:
    # Each document is built and rendered in Swedish, its labels included (decision 0007).
    with translation.override(settings.LANGUAGE_CODE):
        return _render(build(record))


def investigation_pdf(investigation: Investigation) -> tuple[str, bytes]:
    return _in_swedish(_investigation_document, investigation)


def decision_pdf(decision: Decision) -> tuple[str, bytes]:
    return _in_swedish(_decision_document, decision)


def programme_pdf(programme: ActionProgramme) -> tuple[str, bytes]:
    return _in_swedish(_programme_document, programme)


def follow_up_pdf(follow_up: FollowUp) -> tuple[str, bytes]:
    return _in_swedish(_follow_up_document, follow_up)


def pdf_response(filename: str, content: bytes) -> HttpResponse:
    """A rendered document as a download (the pages' PDF links and the API's alike, both logged
    as a print) that no cache keeps: it carries pupil data."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _investigation_document(investigation: Investigation) -> _Document:
    record = (
        Investigation.objects.select_related("pupil", "school_unit", "referral")
        .prefetch_related("investigators", "needs")
        .get(pk=investigation.pk)
    )
    context = _common_context(
        record,
        capfirst(Investigation._meta.verbose_name) or "",
        record.assessed_on or record.opened_on,
    )
    context.update(
        investigation=record,
        investigators=sorted(record.investigators.all(), key=lambda user: user.display_name),
    )
    return _Document(
        f"utredning-{_short_id(record)}.pdf", f"{TEMPLATE_DIR}/investigation.html", context
    )


def _decision_document(decision: Decision) -> _Document:
    template = DECISION_TEMPLATES.get(decision.kind)
    if template is None:
        raise ValueError(f"no document template for decision kind {decision.kind!r}")
    record = (
        _decisions()
        .select_related(
            "pupil",
            "school_unit",
            "investigation",
            *(f"programme__{name}" for name in PROGRAMME_RELATED),
        )
        .prefetch_related(*_programme_prefetches("programme__"))
        .get(pk=decision.pk)
    )
    programme = record.programme
    context = _common_context(record, record.get_kind_display(), record.decided_on)
    context.update(
        decision=record,
        programme=programme,
        investigation=record.investigation or (programme.investigation if programme else None),
        reserved_settings=RESERVED_SETTINGS,
        legal_bases=_legal_bases(programme) if programme is not None else [],
    )
    if record.kind == wf.DecisionKind.ACTION_PROGRAMME_CLOSURE and programme is not None:
        context["evaluation"] = (
            FollowUp.objects.filter(
                programme=programme,
                kind=wf.FollowUpKind.EVALUATION,
                held_on__lte=record.decided_on,
            )
            .order_by("-held_on", "-created_at")
            .first()
        )
    return _Document(f"beslut-{_short_id(record)}.pdf", template, context)


def _programme_document(programme: ActionProgramme) -> _Document:
    record = (
        ActionProgramme.objects.select_related("pupil", "school_unit", *PROGRAMME_RELATED)
        .prefetch_related(*_programme_prefetches())
        .get(pk=programme.pk)
    )
    decision = (
        _decisions()
        .filter(programme=record, kind=wf.DecisionKind.ACTION_PROGRAMME)
        .order_by("-decided_on", "-created_at")
        .first()
    )
    day = (
        decision.decided_on
        if decision
        else record.in_force_from or timezone.localdate(record.updated_at)
    )
    context = _common_context(record, capfirst(ActionProgramme._meta.verbose_name) or "", day)
    context.update(
        programme=record,
        decision=decision,
        investigation=record.investigation,
        reserved_settings=RESERVED_SETTINGS,
    )
    return _Document(
        f"atgardsprogram-v{record.number}.pdf", f"{TEMPLATE_DIR}/programme.html", context
    )


def _follow_up_document(follow_up: FollowUp) -> _Document:
    reviews = MeasureReview.objects.select_related(
        "measure", "measure__need", "measure__responsible"
    ).order_by("measure__need__position", "measure__position", "measure__created_at")
    record = (
        FollowUp.objects.select_related("pupil", "school_unit", "programme")
        .prefetch_related(
            Prefetch("reviews", queryset=reviews),
            Prefetch("participant_views", queryset=ParticipantView.objects.order_by("created_at")),
        )
        .get(pk=follow_up.pk)
    )
    context = _common_context(record, record.get_kind_display(), record.held_on)
    context.update(follow_up=record, programme=record.programme)
    prefix = "utvardering" if record.kind == wf.FollowUpKind.EVALUATION else "uppfoljning"
    return _Document(f"{prefix}-{_short_id(record)}.pdf", f"{TEMPLATE_DIR}/follow_up.html", context)


# --------------------------------------------------------------------------- helpers


def _decisions() -> QuerySet[Decision]:
    """Decisions with what every decision document shows: delegation, service, views."""
    return Decision.objects.select_related(
        "delegation", "delegation__delegated_by"
    ).prefetch_related(
        "services",
        Prefetch("participant_views", queryset=ParticipantView.objects.order_by("created_at")),
    )


# Measures given outside the pupil's own group rest on paragraphs of their own, and some have an
# appeal ground of their own (SL 28 kap. 16 § första stycket 2–3); the decision names them.
SETTING_BASES: dict[wf.MeasureSetting, tuple[str, str]] = {
    wf.MeasureSetting.SPECIAL_TEACHING_GROUP: (
        gettext_noop("Särskilt stöd i en särskild undervisningsgrupp"),
        gettext_noop("3 kap. 11 § skollagen; kan överklagas enligt 28 kap. 16 § första stycket 2"),
    ),
    wf.MeasureSetting.INDIVIDUAL_TEACHING: (
        gettext_noop("Särskilt stöd enskilt"),
        gettext_noop("3 kap. 11 § skollagen; kan överklagas enligt 28 kap. 16 § första stycket 2"),
    ),
    wf.MeasureSetting.DISTANCE_TEACHING: (
        gettext_noop("Särskilt stöd som fjärrundervisning, högst en termin åt gången"),
        gettext_noop("3 kap. 11 a § skollagen; överklagas som en del av åtgärdsprogrammet"),
    ),
    wf.MeasureSetting.ADAPTED_STUDY_PATH: (
        gettext_noop("Anpassad studiegång"),
        gettext_noop("3 kap. 12 § skollagen; kan överklagas enligt 28 kap. 16 § första stycket 3"),
    ),
}


def _legal_bases(programme: ActionProgramme) -> list[tuple[str, str]]:
    """The paragraphs the programme's measures rest on beyond 3 kap. 9 §, from the prefetched
    needs and measures (no query). Translated in the template, inside the document's language."""
    settings_used = {
        measure.setting for need in programme.needs.all() for measure in need.measures.all()
    }
    return [
        (what, basis)
        for setting, (what, basis) in SETTING_BASES.items()
        if setting in settings_used
    ]


def _programme_prefetches(prefix: str = "") -> list[Prefetch]:
    """Needs with their measures and each measure's responsible person; participants' views."""
    measures = ProgrammeMeasure.objects.select_related("responsible")
    needs = ProgrammeNeed.objects.prefetch_related(Prefetch("measures", queryset=measures))
    views = ParticipantView.objects.order_by("created_at")
    return [
        Prefetch(f"{prefix}needs", queryset=needs),
        Prefetch(f"{prefix}participant_views", queryset=views),
    ]


def _common_context(record: Record, doc_type: StrOrPromise, day: date) -> dict[str, Any]:
    """What the header and the facts box of every document show."""
    pupil: Pupil = record.pupil
    return {
        "doc_type": doc_type,
        "document_date": day,
        "pupil": pupil,
        "unit": record.school_unit,
        "identity": _identity(pupil),
        "placement": _placement(pupil, record.school_unit_id, day),
    }


def _identity(pupil: Pupil) -> str | None:
    """The formatted personnummer, or None for a protected pupil (shown by birth date only)."""
    number = pupil.identity_number
    if pupil.is_protected or not number:
        return None
    return f"{number[:8]}-{number[8:]}" if len(number) == 12 and number.isdigit() else number


def _placement(pupil: Pupil, school_unit_id: Any, day: date) -> Placement | None:
    """The placement at the unit on the document's date, for school form and grade."""
    return (
        Placement.objects.filter(pupil=pupil, school_unit_id=school_unit_id, starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .order_by("-starts_on")
        .first()
    )


def _short_id(record: Record) -> str:
    return record.pk.hex[:8]
