"""The text difference between two versions of a routine, line by line (difflib)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

Kind = Literal["same", "added", "removed"]


@dataclass(frozen=True)
class DiffLine:
    kind: Kind
    text: str


@dataclass(frozen=True)
class FieldDiff:
    label: str
    changed: bool
    lines: list[DiffLine]


def line_diff(before: str, after: str) -> list[DiffLine]:
    """Every line of both texts in reading order, marked same, added or removed.

    A changed line is shown as the old line removed and the new line added, which reads well
    both on screen and with a screen reader (the template names each kind in words).
    """
    old, new = before.splitlines(), after.splitlines()
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lines.extend(DiffLine("same", text) for text in old[i1:i2])
            continue
        lines.extend(DiffLine("removed", text) for text in old[i1:i2])
        lines.extend(DiffLine("added", text) for text in new[j1:j2])
    return lines


def field_diff(label: str, before: str, after: str) -> FieldDiff:
    return FieldDiff(label=label, changed=before != after, lines=line_diff(before, after))
