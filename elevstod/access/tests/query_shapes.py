"""The statements a piece of work ran, without their values: what a missing and a forbidden id
must share (issue 10, item 15), asserted instead of timing them."""

import re
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext


def shapes(queries: list[dict[str, str]]) -> list[str]:
    result = []
    for query in queries:
        sql = re.sub(r"'[^']*'", "?", query["sql"])
        sql = re.sub(r"\b(\d+|NULL|None|True|False)\b", "?", sql)
        result.append(re.sub(r"\?::\w+", "?", sql))  # PostgreSQL casts a value, not a NULL
    return result


def refused_shapes(work: Callable[[], Any]) -> list[str]:
    """The shapes of the statements `work` ran before it was refused with a 404."""
    with CaptureQueriesContext(connection) as queries:
        try:
            work()
        except Http404:
            return shapes(queries.captured_queries)
    raise AssertionError("the work was not refused")
