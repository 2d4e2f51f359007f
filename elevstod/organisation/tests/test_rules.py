"""Pure rules: school-form validity and which decisions the rektor may delegate."""

from datetime import date

import pytest

from elevstod.organisation.duties import NON_DELEGABLE, DecisionType, non_delegable_reason
from elevstod.organisation.school_forms import (
    SchoolForm,
    is_school_form_valid_on,
    school_forms_valid_on,
)


@pytest.mark.parametrize(
    ("day", "valid"),
    [(date(2026, 6, 30), True), (date(2026, 7, 1), False), (date(2027, 1, 1), False)],
)
def test_preschool_class_ends_on_1_july_2026(day: date, valid: bool) -> None:
    # SFS 2025:729: förskoleklassen upphör 2026-07-01.
    assert is_school_form_valid_on(SchoolForm.PRESCHOOL_CLASS, day) is valid
    assert (SchoolForm.PRESCHOOL_CLASS in school_forms_valid_on(day)) is valid
    assert is_school_form_valid_on(SchoolForm.COMPULSORY, day)


@pytest.mark.parametrize(
    ("decision_type", "paragraph"),
    [
        (DecisionType.SPECIAL_TEACHING_GROUP, "3 kap. 9 §"),
        (DecisionType.INDIVIDUAL_TEACHING, "3 kap. 9 §"),
        (DecisionType.DISTANCE_TEACHING, "3 kap. 9 §"),
        (DecisionType.ADAPTED_STUDY_PATH, "3 kap. 9 §"),
        (DecisionType.LEAVE_OVER_TEN_DAYS, "7 kap. 18 §"),
        (DecisionType.EXEMPTION, "7 kap. 19 §"),
    ],
)
def test_reserved_decisions_are_refused_citing_the_paragraph(
    decision_type: DecisionType, paragraph: str
) -> None:
    reason = non_delegable_reason(decision_type)
    assert reason is not None
    assert paragraph in reason
    assert "får inte uppdra" in reason


@pytest.mark.parametrize(
    "decision_type",
    [
        DecisionType.ACTION_PROGRAMME,
        DecisionType.NO_ACTION_PROGRAMME,
        DecisionType.ACTION_PROGRAMME_CLOSURE,
        DecisionType.LEAVE_UP_TO_TEN_DAYS,
    ],
)
def test_other_decisions_may_be_delegated(decision_type: DecisionType) -> None:
    # SL 2 kap. 10 §, and 3 kap. 9 § third paragraph names "den som rektorn har överlåtit".
    assert non_delegable_reason(decision_type) is None


def test_exactly_six_decision_types_are_reserved() -> None:
    assert len(NON_DELEGABLE) == 6
