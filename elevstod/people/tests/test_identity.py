from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from elevstod.people.identity import (
    IdentityKind,
    is_valid_identity_number,
    luhn_check_digit,
    parse_identity_number,
)
from elevstod.people.models import validate_identity_number


def test_personnummer_is_normalised_to_twelve_digits() -> None:
    assert parse_identity_number("19900101-0017") == (
        "199001010017",
        IdentityKind.PERSONAL_IDENTITY_NUMBER,
    )


def test_coordination_number_is_recognised() -> None:
    # Day 61 = 1 + 60: a samordningsnummer.
    short = "900161001"
    number = f"19{short}{luhn_check_digit(short)}"
    assert parse_identity_number(number)[1] == IdentityKind.COORDINATION_NUMBER


@pytest.mark.parametrize("raw", ["19900101-0018", "abc", "", "1990010100171"])
def test_invalid_numbers_are_refused_with_a_swedish_message(raw: str) -> None:
    assert not is_valid_identity_number(raw)
    with pytest.raises(ValidationError, match="giltigt personnummer"):
        validate_identity_number(raw)


# The profile's count (conftest.py): 100, 50 with HYPOTHESIS_PROFILE=ci; the cases above and the
# generator's pupils and guardians (elevstod/demo/tests) check the same numbers.
@given(st.dates(), st.integers(min_value=1, max_value=999))
def test_generated_numbers_always_validate(born: date, serial: int) -> None:
    if born.year < 1900:
        return
    short = born.strftime("%y%m%d") + f"{serial:03d}"
    number = born.strftime("%Y%m%d") + f"{serial:03d}" + str(luhn_check_digit(short))
    assert parse_identity_number(number)[0] == number
