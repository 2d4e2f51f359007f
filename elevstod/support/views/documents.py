"""The support chain's documents as PDFs (decision 0007: always in Swedish).

Each goes through the one door with AccessAction.PRINT, so the print is logged and a refused
one is logged as denied. A whole-record document (programme, follow-up) is not for a teacher
who sees only the teaching part (policy.sees_teaching_part_only); an investigation's is for
its investigator too, whatever their other relations.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.http import HttpResponse

from elevstod.access.records import (
    DECISIONS,
    FOLLOW_UPS,
    INVESTIGATIONS,
    PROGRAMMES,
    RecordKind,
)
from elevstod.audit.models import AccessAction
from elevstod.documents import rendering
from elevstod.support.models import PupilRecord
from elevstod.support.views._pages import RecordPage, View

R = TypeVar("R", bound=PupilRecord)


def _pdf_view(
    name: str,
    kind: RecordKind[R],
    document: Callable[[R], tuple[str, bytes]],
    *,
    whole_record: bool = False,
) -> View:
    """The view `name`: the record's document as a download that no cache keeps."""

    def download(page: RecordPage[R]) -> HttpResponse:
        """The record's document as a download that no cache keeps."""
        return rendering.pdf_response(*document(page.record))

    print_ = AccessAction.PRINT
    return RecordPage.view(name, kind, download, action=print_, whole_record=whole_record)


investigation_pdf = _pdf_view("investigation_pdf", INVESTIGATIONS, rendering.investigation_pdf)
decision_pdf = _pdf_view("decision_pdf", DECISIONS, rendering.decision_pdf)
programme_pdf = _pdf_view("programme_pdf", PROGRAMMES, rendering.programme_pdf, whole_record=True)
follow_up_pdf = _pdf_view("follow_up_pdf", FOLLOW_UPS, rendering.follow_up_pdf, whole_record=True)
