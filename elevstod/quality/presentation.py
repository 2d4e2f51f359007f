"""Figures shaped for the page and the PDF: labelled rows, each chart with its table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from elevstod.people.models import Gender
from elevstod.quality import charts
from elevstod.quality.selectors import BREAKDOWN_LEVELS, ProviderTable, UnitRow
from elevstod.support import workflow as wf
from elevstod.support.labels import (
    ADAPTATION_EFFECT_LABELS,
    MEASURE_SETTING_LABELS,
    NEED_CATEGORY_LABELS,
    SUPPORT_LEVEL_LABELS,
)

LEVELS = [level.value for level in wf.SupportLevel]


def level_labels() -> dict[str, str]:
    return {level: str(SUPPORT_LEVEL_LABELS[wf.SupportLevel(level)]) for level in LEVELS}


def step_labels() -> dict[str, str]:
    return {
        "concern_to_adaptation": _("Oro → första extra anpassning"),
        "report_to_investigation": _("Anmälan → påbörjad utredning"),
        "investigation_to_decision": _("Bedömning → beslut"),
        "decision_to_service": _("Beslut → delgivet"),
    }


def participation_labels() -> dict[str, str]:
    return {
        "investigation_pupil": _("Utredningar med elevens syn"),
        "investigation_guardian": _("Utredningar med vårdnadshavarnas syn"),
        "programme_pupil": _("Åtgärdsprogram med elevens synpunkter"),
        "programme_guardian": _("Åtgärdsprogram med vårdnadshavarnas synpunkter"),
        "follow_up_pupil": _("Uppföljningar med elevens syn"),
        "follow_up_guardian": _("Uppföljningar med vårdnadshavarnas syn"),
        "evaluation_pupil": _("Utvärderade anpassningar med elevens syn"),
    }


def match_labels() -> dict[str, str]:
    return {
        "needs_without_measure": _("Behov i gällande åtgärdsprogram utan åtgärd"),
        "adaptations_without_need": _("Pågående extra anpassningar utan angivet behovsområde"),
        "late_follow_up": _("Gällande åtgärdsprogram vars uppföljning är försenad"),
        "not_sufficient_without_referral": _(
            "Anpassningar utvärderade som inte tillräckliga, utan anmälan till rektor"
        ),
    }


def _label(labels: dict[Any, Any], key: str) -> str:
    """The Swedish label of an enum value, or the key itself for a value no longer known."""
    for member, label in labels.items():
        if member == key:
            return str(label)
    return key


def _share_row(label: Any, node: dict[str, Any]) -> dict[str, Any]:
    return {"label": label, "n": node["n"]["v"], "yes": node["yes"]["v"], "percent": percent(node)}


def _share_rows(table: dict[str, Any], labels: dict[Any, Any]) -> list[dict[str, Any]]:
    return [_share_row(_label(labels, key), node) for key, node in table.items()]


def percent(node: dict[str, Any]) -> int | None:
    n = node.get("n", {}).get("v", 0)
    return round(100 * node["yes"]["v"] / n) if n else None


def _level_rows(pyramids: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    return [
        {
            "label": label,
            "pupils": pyramid["pupils"]["v"],
            "levels": [pyramid[level]["v"] for level in LEVELS],
        }
        for label, pyramid in pyramids
    ]


def _grade_label(grade: str) -> str:
    return _("Åk %(grade)s") % {"grade": grade} if grade else _("Ingen årskurs")


def _gender_label(gender: str) -> str:
    return str(dict(Gender.choices).get(gender, gender))


def principal_sections(figures: dict[str, Any]) -> dict[str, Any]:
    """Everything the principal's dashboard and the unit report show, labelled."""
    labels = [SUPPORT_LEVEL_LABELS[wf.SupportLevel(level)] for level in LEVELS]
    return {
        "level_labels": labels,
        **_support_level_sections(figures, labels),
        **_promptness_sections(figures["promptness"]),
        "match": [
            {
                "label": label,
                "value": figures["match"][key]["v"],
                "pupils": figures["match"][key]["p"],
            }
            for key, label in match_labels().items()
        ],
        **_result_sections(figures["results"]),
        **_participation_sections(figures["participation"]),
        **_pattern_sections(figures["patterns"]),
    }


def _support_level_sections(figures: dict[str, Any], labels: list[Any]) -> dict[str, Any]:
    """The support pyramid on the last day, month by month, and the flows between levels."""
    pyramid = figures["pyramid"]
    pupils = pyramid["pupils"]["v"]
    over_time = _level_rows([(point["on"], point) for point in figures["over_time"]])
    flows = figures["flows"]
    return {
        "pyramid": {
            "pupils": pupils,
            "levels": [
                {
                    "label": label,
                    "value": pyramid[level]["v"],
                    "percent": round(100 * pyramid[level]["v"] / pupils) if pupils else None,
                }
                for level, label in zip(LEVELS, labels, strict=True)
            ],
        },
        "pyramid_chart": charts.bars(
            "pyramid-caption",
            [
                (str(label), pyramid[level]["v"])
                for level, label in zip(LEVELS, labels, strict=True)
            ],
            max([pyramid[level]["v"] for level in LEVELS] + [1]),
        ),
        "over_time": over_time,
        "over_time_chart": charts.stacked(
            "over-time-caption", [(row["label"][5:], row["levels"]) for row in over_time]
        ),
        "flows": [
            {"label": label, "cells": [flows["between"][level][to]["v"] for to in LEVELS]}
            for level, label in zip(LEVELS, labels, strict=True)
        ],
        "arrived": flows["arrived"]["v"],
        "left": flows["left"]["v"],
    }


def _promptness_sections(promptness: dict[str, Any]) -> dict[str, Any]:
    """Each step's median and share within the huvudman's deadline (SL 3 kap. 5 och 7 §§)."""
    steps = [
        {"key": key, "label": label, **promptness[key]} for key, label in step_labels().items()
    ]
    for step in steps:
        cases = step["cases"]["v"]
        step["within_percent"] = (
            round(100 * step["within"]["v"] / cases)
            if cases and step["deadline"] is not None
            else None
        )
    return {
        "promptness": steps,
        "promptness_chart": charts.bars(
            "promptness-caption",
            [(str(s["label"]).split(" → ")[0] + " →", s["median"]) for s in steps],
            max([s["median"] or 0 for s in steps] + [1]),
        ),
    }


def _result_sections(results: dict[str, Any]) -> dict[str, Any]:
    """What the adaptations and the programmes' measures achieved."""
    adaptations, measures = results["adaptations"], results["measures"]
    by_need = _share_rows(adaptations["by_need"], NEED_CATEGORY_LABELS)
    return {
        "adaptation_effects": [
            {"label": ADAPTATION_EFFECT_LABELS[wf.AdaptationEffect(key)], "value": node["v"]}
            for key, node in adaptations["by_effect"].items()
        ],
        "adaptations_percent": percent(adaptations["all"]),
        "adaptations_n": adaptations["all"]["n"]["v"],
        "measures_percent": percent(measures["all"]),
        "measures_n": measures["all"]["n"]["v"],
        "by_need": by_need,
        "by_need_chart": charts.bars(
            "by-need-caption", [(str(r["label"])[:18], r["percent"]) for r in by_need], 100
        ),
        "measure_by_need": _share_rows(measures["by_need"], NEED_CATEGORY_LABELS),
        "by_setting": _share_rows(measures["by_setting"], MEASURE_SETTING_LABELS),
        "closed": results["closed"]["v"],
        "closed_needs_met": results["closed_needs_met"]["v"],
    }


def _participation_sections(participation: dict[str, Any]) -> dict[str, Any]:
    """How often the pupil's and the guardians' views are documented (SL 3 kap. 7 och 9 §§)."""
    rows = [_share_row(label, participation[key]) for key, label in participation_labels().items()]
    return {
        "participation": rows,
        "participation_chart": charts.bars(
            "participation-caption",
            [(str(i + 1), row["percent"]) for i, row in enumerate(rows)],
            100,
        ),
    }


def _pattern_sections(patterns: dict[str, Any]) -> dict[str, Any]:
    """Support levels by year group, class and gender, and adaptations by subject; never by
    diagnosis."""
    active, effect = patterns["subject_active"], patterns["subject_effect"]
    return {
        "by_grade": _level_rows([(_grade_label(g), p) for g, p in patterns["grade"].items()]),
        "by_group": _level_rows([(g or _("Ingen klass"), p) for g, p in patterns["group"].items()]),
        "by_gender": _level_rows([(_gender_label(g), p) for g, p in patterns["gender"].items()]),
        "subjects": [
            {
                "label": name or _("Ämnesövergripande"),
                "active": active.get(name, {}).get("v", 0),
                "n": effect.get(name, {}).get("n", {}).get("v", 0),
                "percent": percent(effect[name]) if name in effect else None,
            }
            for name in sorted(set(active) | set(effect))
        ],
    }


def provider_sections(table: ProviderTable) -> dict[str, Any]:
    """The huvudman's table (selectors.ProviderTable) shaped for the page and the report."""
    levels = list(level_labels())
    special = wf.SupportLevel.SPECIAL_SUPPORT.value
    grade_rows = [(_grade_label(name), cells) for name, cells in table.breakdowns["grade"]]
    return {
        "table": table,
        "unit_levels": _unit_rows(table, _level_texts),
        "unit_promptness": _unit_rows(table, _step_texts),
        "unit_match": _unit_rows(table, _match_texts),
        "unit_participation": _unit_rows(table, _participation_texts),
        "over_time_rows": [
            (day, [cells[level] for level in levels] + [cells["pupils"]])
            for day, cells in table.over_time
        ],
        "over_time_chart": charts.stacked(
            "p-time-caption",
            [
                (day[5:], [cells[level].value or 0 for level in levels])
                for day, cells in table.over_time
            ],
        ),
        "grade_rows": [
            (name, [cells[level] for level in BREAKDOWN_LEVELS]) for name, cells in grade_rows
        ],
        "grade_chart": charts.bars(
            "p-grade-caption",
            [(str(name), cells[special].value) for name, cells in grade_rows],
            max([cells[special].value or 0 for _n, cells in grade_rows] + [1]),
        ),
        "gender_rows": [
            (_gender_label(name), [cells[level] for level in BREAKDOWN_LEVELS])
            for name, cells in table.breakdowns["gender"]
        ],
    }


def _unit_rows(table: ProviderTable, texts: Callable[[UnitRow], list[str]]) -> dict[str, Any]:
    """One of the huvudman's tables per unit: each unit's cells, and the huvudman's total."""
    return {"units": [(row.name, texts(row)) for row in table.units], "total": texts(table.total)}


def _level_texts(row: UnitRow) -> list[str]:
    return [cell.text for cell in row.count_cells] + [row.special_share]


def _step_texts(row: UnitRow) -> list[str]:
    """Each step's median, then its share within the deadline."""
    return [text for step in row.step_cells for text in (step.text, step.within.text)]


def _match_texts(row: UnitRow) -> list[str]:
    return [cell.text for cell in (*row.match_cells, *row.result_cells)]


def _participation_texts(row: UnitRow) -> list[str]:
    return [cell.text for cell in row.participation_cells]
