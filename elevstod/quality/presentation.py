"""Figures shaped for the page and the PDF: labelled rows, each chart with its table."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from elevstod.people.models import Gender
from elevstod.quality import charts
from elevstod.quality.selectors import BREAKDOWN_LEVELS
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


def _share_rows(table: dict[str, Any], labels: dict[Any, Any]) -> list[dict[str, Any]]:
    return [
        {
            "label": _label(labels, key),
            "n": node["n"]["v"],
            "yes": node["yes"]["v"],
            "percent": percent(node),
        }
        for key, node in table.items()
    ]


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


def principal_sections(figures: dict[str, Any]) -> dict[str, Any]:
    """Everything the principal's dashboard and the unit report show, labelled."""
    level_labels = [SUPPORT_LEVEL_LABELS[wf.SupportLevel(level)] for level in LEVELS]
    over_time = _level_rows([(point["on"], point) for point in figures["over_time"]])
    pyramid = figures["pyramid"]
    flows = figures["flows"]
    promptness = [
        {"key": key, "label": label, **figures["promptness"][key]}
        for key, label in step_labels().items()
    ]
    for step in promptness:
        cases = step["cases"]["v"]
        step["within_percent"] = (
            round(100 * step["within"]["v"] / cases)
            if cases and step["deadline"] is not None
            else None
        )
    participation = [
        {
            "label": label,
            "n": figures["participation"][key]["n"]["v"],
            "yes": figures["participation"][key]["yes"]["v"],
            "percent": percent(figures["participation"][key]),
        }
        for key, label in participation_labels().items()
    ]
    results = figures["results"]
    by_need = _share_rows(results["adaptations"]["by_need"], NEED_CATEGORY_LABELS)
    measure_by_need = _share_rows(results["measures"]["by_need"], NEED_CATEGORY_LABELS)
    by_setting = _share_rows(results["measures"]["by_setting"], MEASURE_SETTING_LABELS)
    genders = dict(Gender.choices)
    patterns = figures["patterns"]
    by_grade = _level_rows(
        [
            (_("Åk %(grade)s") % {"grade": g} if g else _("Ingen årskurs"), p)
            for g, p in patterns["grade"].items()
        ]
    )
    by_group = _level_rows([(g or _("Ingen klass"), p) for g, p in patterns["group"].items()])
    by_gender = _level_rows([(str(genders.get(g, g)), p) for g, p in patterns["gender"].items()])
    subjects = [
        {
            "label": name or _("Ämnesövergripande"),
            "active": patterns["subject_active"].get(name, {}).get("v", 0),
            "n": patterns["subject_effect"].get(name, {}).get("n", {}).get("v", 0),
            "percent": percent(patterns["subject_effect"][name])
            if name in patterns["subject_effect"]
            else None,
        }
        for name in sorted(set(patterns["subject_active"]) | set(patterns["subject_effect"]))
    ]
    return {
        "level_labels": level_labels,
        "pyramid": {
            "pupils": pyramid["pupils"]["v"],
            "levels": [
                {
                    "label": label,
                    "value": pyramid[level]["v"],
                    "percent": round(100 * pyramid[level]["v"] / pyramid["pupils"]["v"])
                    if pyramid["pupils"]["v"]
                    else None,
                }
                for level, label in zip(LEVELS, level_labels, strict=True)
            ],
        },
        "pyramid_chart": charts.bars(
            "pyramid-caption",
            [
                (str(label), pyramid[level]["v"])
                for level, label in zip(LEVELS, level_labels, strict=True)
            ],
            max([pyramid[level]["v"] for level in LEVELS] + [1]),
        ),
        "over_time": over_time,
        "over_time_chart": charts.stacked(
            "over-time-caption", [(row["label"][5:], row["levels"]) for row in over_time]
        ),
        "flows": [
            {
                "label": label,
                "cells": [flows["between"][level][to]["v"] for to in LEVELS],
            }
            for level, label in zip(LEVELS, level_labels, strict=True)
        ],
        "arrived": flows["arrived"]["v"],
        "left": flows["left"]["v"],
        "promptness": promptness,
        "promptness_chart": charts.bars(
            "promptness-caption",
            [(str(s["label"]).split(" → ")[0] + " →", s["median"]) for s in promptness],
            max([s["median"] or 0 for s in promptness] + [1]),
        ),
        "match": [
            {
                "label": label,
                "value": figures["match"][key]["v"],
                "pupils": figures["match"][key]["p"],
            }
            for key, label in match_labels().items()
        ],
        "adaptation_effects": [
            {"label": ADAPTATION_EFFECT_LABELS[wf.AdaptationEffect(key)], "value": node["v"]}
            for key, node in results["adaptations"]["by_effect"].items()
        ],
        "adaptations_percent": percent(results["adaptations"]["all"]),
        "adaptations_n": results["adaptations"]["all"]["n"]["v"],
        "measures_percent": percent(results["measures"]["all"]),
        "measures_n": results["measures"]["all"]["n"]["v"],
        "by_need": by_need,
        "by_need_chart": charts.bars(
            "by-need-caption", [(str(r["label"])[:18], r["percent"]) for r in by_need], 100
        ),
        "measure_by_need": measure_by_need,
        "by_setting": by_setting,
        "closed": results["closed"]["v"],
        "closed_needs_met": results["closed_needs_met"]["v"],
        "participation": participation,
        "participation_chart": charts.bars(
            "participation-caption",
            [(str(i + 1), row["percent"]) for i, row in enumerate(participation)],
            100,
        ),
        "by_grade": by_grade,
        "by_group": by_group,
        "by_gender": by_gender,
        "subjects": subjects,
    }


def provider_sections(table: Any) -> dict[str, Any]:
    """The huvudman's table (selectors.ProviderTable) shaped for the page and the report."""
    levels = list(level_labels())
    special = wf.SupportLevel.SPECIAL_SUPPORT.value
    grade_rows = [
        (_("Åk %(grade)s") % {"grade": name} if name else _("Ingen årskurs"), cells)
        for name, cells in table.breakdowns["grade"]
    ]
    genders = dict(Gender.choices)
    return {
        "table": table,
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
            (str(genders.get(name, name)), [cells[level] for level in BREAKDOWN_LEVELS])
            for name, cells in table.breakdowns["gender"]
        ],
    }
