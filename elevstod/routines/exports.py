"""The deviation reports as a list for the county's BUS secretariat at KSL: CSV and PDF.

No pupil data, ever: no pupil, no reason for naming one, no reporter. The free texts
(description, what was tried locally, outcome) are included only for reports that name no
pupil, since a text written about one pupil may identify them even without a name. Both
formats are always in Swedish, like every document the project prints (decision 0007).

The callers check access and log the export (services.deviation_export_record).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from elevstod.documents.rendering import render_pdf
from elevstod.routines.models import Counterpart, DeviationReport, DeviationStatus

PDF_TEMPLATE = "routines/pdf/deviations.html"
# Spreadsheet programs run a cell that starts with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportRow:
    unit: str
    occurred_on: str
    reported_on: str
    counterparts: str
    nature: str
    status: str
    ksl_reported_on: str
    closed_on: str
    description: str
    tried_locally: str
    outcome: str
    concerns_pupil: bool


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def export_rows(reports: Sequence[DeviationReport]) -> list[ExportRow]:
    """One row per report; call inside the Swedish translation (the callers below do)."""
    statuses = dict(DeviationStatus.choices)
    withheld = _("Utelämnad: rapporten gäller en enskild elev.")
    rows = []
    for report in reports:
        open_text = not report.concerns_pupil
        rows.append(
            ExportRow(
                unit=report.school_unit.name,
                occurred_on=_iso(report.occurred_on),
                reported_on=_iso(timezone.localdate(report.created_at)),
                counterparts=", ".join(report.counterpart_labels),
                nature=", ".join(report.nature_labels),
                status=str(statuses[report.status]),
                ksl_reported_on=_iso(report.ksl_reported_on),
                closed_on=_iso(report.closed_on),
                description=report.description if open_text else withheld,
                tried_locally=report.tried_locally if open_text else withheld,
                outcome=(report.outcome if open_text else (withheld if report.outcome else "")),
                concerns_pupil=report.concerns_pupil,
            )
        )
    return rows


def _cell(value: str) -> str:
    """A text cell a spreadsheet shows as text, never runs (OWASP: CSV injection)."""
    return f"'{value}" if value.startswith(FORMULA_PREFIXES) else value


def deviations_csv(reports: Sequence[DeviationReport]) -> bytes:
    """Semicolon-separated UTF-8 with a byte order mark: what Excel in Swedish opens as is."""
    with translation.override(settings.LANGUAGE_CODE):
        header = [
            _("Skolenhet"),
            _("Inträffade"),
            _("Rapporterad"),
            _("Samverkan med"),
            _("Karaktär"),
            _("Status"),
            _("Rapporterad till KSL"),
            _("Avslutad"),
            _("Beskrivning av problemet"),
            _("Vad som prövats lokalt"),
            _("Utfall"),
        ]
        rows = export_rows(reports)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(
            [
                _cell(row.unit),
                row.occurred_on,
                row.reported_on,
                row.counterparts,
                row.nature,
                row.status,
                row.ksl_reported_on,
                row.closed_on,
                _cell(row.description),
                _cell(row.tried_locally),
                _cell(row.outcome),
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _summary(reports: Sequence[DeviationReport]) -> list[dict[str, object]]:
    """Counts per counterpart and status, from the rows already loaded (no query)."""
    statuses = DeviationStatus.values
    table = []
    for value, label in Counterpart.choices:
        counts = dict.fromkeys(statuses, 0)
        for report in reports:
            if value in report.counterparts:
                counts[report.status] += 1
        table.append(
            {
                "label": label,
                "counts": [counts[status] for status in statuses],
                "total": sum(counts.values()),
            }
        )
    return table


def deviations_pdf(
    reports: Sequence[DeviationReport],
    *,
    scope: str,
    start: date | None,
    end: date | None,
    today: date,
) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "scope": scope,
            "start": start,
            "end": end,
            "today": today,
            "rows": export_rows(reports),
            "statuses": [label for _value, label in DeviationStatus.choices],
            "summary": _summary(reports),
            "total": len(reports),
        }
        return render_pdf(PDF_TEMPLATE, context)


def export_filename(extension: str, today: date) -> str:
    """No personal data and no unit name in the name: the date says which export it is."""
    return f"avvikelser-{today.isoformat()}.{extension}"
