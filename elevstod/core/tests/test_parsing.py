import uuid

import pytest

from elevstod.core.parsing import uuid_or_none

ID = uuid.UUID("12345678-1234-5678-1234-567812345678")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (str(ID), ID),
        (ID.hex, ID),
        ("", None),
        (None, None),
        ("inte-ett-id", None),
        ("12345678", None),
    ],
)
def test_a_sent_id_is_read_or_taken_as_not_chosen(
    raw: str | None, expected: uuid.UUID | None
) -> None:
    assert uuid_or_none(raw) == expected
