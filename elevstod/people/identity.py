"""Swedish personal identity numbers, validated by the maintained `personnummer` library.

A samordningsnummer is a personnummer whose day is raised by 60; the library accepts both and
tells them apart. A pupil with neither gets a reserve identity (reservnummer) of our own.
"""

from enum import StrEnum

from personnummer.personnummer import Personnummer, PersonnummerException


class IdentityKind(StrEnum):
    PERSONAL_IDENTITY_NUMBER = "personnummer"
    COORDINATION_NUMBER = "samordningsnummer"
    RESERVE = "reservnummer"


def parse_identity_number(raw: str) -> tuple[str, IdentityKind]:
    """Return the normalised 12-digit form and its kind, or raise ValueError."""
    try:
        number = Personnummer(raw)
    except (PersonnummerException, ValueError, TypeError) as exc:
        raise ValueError("invalid identity number") from exc
    kind = (
        IdentityKind.COORDINATION_NUMBER
        if number.is_coordination_number()
        else IdentityKind.PERSONAL_IDENTITY_NUMBER
    )
    return number.format(True), kind


def luhn_check_digit(nine_digits: str) -> int:
    """The check digit over YYMMDDNNN, as the Tax Agency computes it (used by the generator)."""
    total = 0
    for index, char in enumerate(nine_digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10


def is_valid_identity_number(raw: str) -> bool:
    try:
        parse_identity_number(raw)
    except ValueError:
        return False
    return True
