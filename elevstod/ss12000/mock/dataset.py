"""The mock provider's data: SS 12000 entities as the JSON the standard defines, in memory.

A ``Dataset`` holds one dict per entity (exactly the object a provider sends, ``meta`` included),
the aggregated attendance rows, and a log of deletions. Anything that can produce those dicts can
fill one — the built-in fixture (``fixture.small_dataset``) today, the demo generator's
municipality later — through ``add``. ``update`` and ``delete`` move the provider's own clock
(``meta.modified``, the deletion time), which is what a delta sync reads.

Stored records are never changed in place (``update`` stores a new dict), so ``listing`` can hand
out the stored dicts themselves, sorted once per change: readers must not mutate them. That keeps
a page of a large municipality cheap to serve.
"""

from __future__ import annotations

import copy
import datetime as dt
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# The list endpoints with ids and meta, by path segment.
ENTITY_ENDPOINTS = (
    "organisations",
    "persons",
    "placements",
    "duties",
    "groups",
    "activities",
    "absences",
)

# Code_ObjectType (the `entities` filter of /deletedEntities) for each endpoint.
OBJECT_TYPES = {
    "organisations": "Organisation",
    "persons": "Person",
    "placements": "Placement",
    "duties": "Duty",
    "groups": "Group",
    "activities": "Activity",
    "absences": "Absence",
}

# The key of each endpoint in DeletedEntities.data; the standard spells activities "activitites".
DELETED_KEYS = {endpoint: endpoint for endpoint in ENTITY_ENDPOINTS} | {"activities": "activitites"}


def timestamp(moment: dt.datetime) -> str:
    """RFC 3339 in UTC, as the mock writes every date-time."""
    if moment.tzinfo is None:
        raise ValueError("Timestamps must carry a time zone")
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def parse_timestamp(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("A timestamp without a time zone")
    return moment


@dataclass(frozen=True)
class Deletion:
    endpoint: str
    id: str
    at: dt.datetime


@dataclass
class Dataset:
    entities: dict[str, dict[str, dict[str, Any]]] = field(
        default_factory=lambda: {endpoint: {} for endpoint in ENTITY_ENDPOINTS}
    )
    aggregated_attendance: list[dict[str, Any]] = field(default_factory=list)
    deletions: list[Deletion] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    # Bumped by every change; sorted listings are cached per version.
    version: int = 0
    _sorted: dict[str, tuple[int, list[dict[str, Any]]]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def add(
        self,
        endpoint: str,
        record: Mapping[str, Any],
        *,
        at: dt.datetime | None = None,
    ) -> dict[str, Any]:
        """Add one entity. Without ``meta`` in the record, ``at`` is its created and modified."""
        if endpoint not in self.entities:
            raise KeyError(f"Not an entity endpoint: {endpoint}")
        stored = copy.deepcopy(dict(record))
        if "meta" not in stored:
            if at is None:
                raise ValueError("An entity needs meta or a time it was made")
            stored["meta"] = {"created": timestamp(at), "modified": timestamp(at)}
        with self._lock:
            self.entities[endpoint][stored["id"]] = stored
            self.version += 1
        return stored

    def add_all(
        self, endpoint: str, records: Iterable[Mapping[str, Any]], *, at: dt.datetime
    ) -> None:
        for record in records:
            self.add(endpoint, record, at=at)

    def adopt(self, endpoint: str, records: Iterable[dict[str, Any]]) -> None:
        """Store whole entities (``meta`` included) as they are, without the copy ``add`` makes:
        the caller hands them over and must not change them afterwards. For the generator's
        municipality, whose 300,000 persons cost more to deep-copy than to make."""
        if endpoint not in self.entities:
            raise KeyError(f"Not an entity endpoint: {endpoint}")
        with self._lock:
            stored = self.entities[endpoint]
            for record in records:
                if "meta" not in record:
                    raise ValueError("An adopted entity brings its own meta")
                stored[record["id"]] = record
            self.version += 1

    def update(
        self, endpoint: str, entity_id: str, changes: Mapping[str, Any], *, at: dt.datetime
    ) -> dict[str, Any]:
        """Change an entity's own attributes; its ``meta.modified`` becomes ``at``."""
        with self._lock:
            record = copy.deepcopy(self.entities[endpoint][entity_id])
            record.update(copy.deepcopy(dict(changes)))
            record["meta"] = {**record["meta"], "modified": timestamp(at)}
            self.entities[endpoint][entity_id] = record
            self.version += 1
            return copy.deepcopy(record)

    def delete(self, endpoint: str, entity_id: str, *, at: dt.datetime) -> None:
        with self._lock:
            del self.entities[endpoint][entity_id]
            self.deletions.append(Deletion(endpoint=endpoint, id=entity_id, at=at))
            self.version += 1

    def listing(self, endpoint: str) -> list[dict[str, Any]]:
        """An endpoint's entities, oldest ``meta.modified`` first (ties by id). Read only."""
        with self._lock:
            cached = self._sorted.get(endpoint)
            if cached is None or cached[0] != self.version:
                records = sorted(
                    self.entities[endpoint].values(),
                    key=lambda row: (parse_timestamp(row["meta"]["modified"]), row["id"]),
                )
                cached = self._sorted[endpoint] = (self.version, records)
            return list(cached[1])

    def attendance(self) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self.aggregated_attendance)

    def deleted(self) -> list[Deletion]:
        with self._lock:
            return sorted(self.deletions, key=lambda deletion: (deletion.at, deletion.id))
