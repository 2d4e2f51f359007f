"""Following up and evaluating a programme in force, measure by measure (SL 3 kap. 9 §;
process.md §1, S6→S7)."""

from __future__ import annotations

from datetime import date

from elevstod.support.workflow.programmes import SL_3_9
from elevstod.support.workflow.refusals import Outcome, Refused, gettext_noop, refused_where

MEASURE_MISSING = Refused(
    "follow_up.measure_missing", gettext_noop("Bedöm varje åtgärd i programmet."), SL_3_9
)
NEXT_DATE_MISSING = Refused(
    "follow_up.next_date_missing",
    gettext_noop(
        "Ange när programmet följs upp nästa gång; åtgärdsprogrammet ska ange när uppföljning sker."
    ),
    SL_3_9,
)


def may_record_follow_up(
    all_measures_reviewed: bool, continues: bool, next_on: date | None, today: date
) -> Outcome:
    """Every measure is reviewed; a programme that continues names its next coming date."""
    return refused_where(
        (not all_measures_reviewed, MEASURE_MISSING),
        (continues and (next_on is None or next_on <= today), NEXT_DATE_MISSING),
    )
