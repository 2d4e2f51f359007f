"""Pages of API lists that shape only the rows they return."""

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db.models import Model, QuerySet

_M = TypeVar("_M", bound=Model)


class ShapedPage(Generic[_M]):
    """Lets the paginator slice the queryset first, then shapes only the rows it kept."""

    def __init__(self, queryset: QuerySet[_M], shape: Callable[[_M], dict[str, Any]]) -> None:
        self.queryset = queryset
        self.shape = shape

    def __len__(self) -> int:
        return self.queryset.count()

    def __getitem__(self, item: slice) -> list[dict[str, Any]]:
        return [self.shape(row) for row in self.queryset[item]]
