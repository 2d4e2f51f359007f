"""The footing of the chain builder: one seeded Random, rows with their moments, timeline events.

Every layer of the builder (people → records → programmes → cases → the demo unit → the whole
municipality, elevstod.demo.support_chain) draws from the one Random made here, in a fixed order,
so that a seed and `today` always give the same chain.
"""

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from django.db import models
from django.utils import timezone

from elevstod.accounts.models import User
from elevstod.demo.access_log import SCHOOL_TZ
from elevstod.demo.chain.tables import SEED_SALT
from elevstod.demo.plan import ClassPlan, Population, SupportChain, UnitPlan
from elevstod.demo.rows import make_row
from elevstod.organisation.models import Delegation
from elevstod.people.models import Guardian, Pupil
from elevstod.support.models import ChainEvent

K = TypeVar("K")
M = TypeVar("M", bound=models.Model)
T = TypeVar("T")
Weighted = tuple[list[K], list[int]]  # keys and their cumulative weights, for Random.choices


def cumulative(weights: dict[K, int]) -> Weighted[K]:
    keys = list(weights)
    total, running = 0, []
    for key in keys:
        total += weights[key]
        running.append(total)
    return keys, running


def plus_days(value: date, days: int) -> date:
    return value + timedelta(days=days)


def known(value: T | None) -> T:
    """A field the chain has already set (a decided programme's start, a receipt's date)."""
    assert value is not None
    return value


@dataclass(eq=False)
class ChainUnit:
    id: uuid.UUID
    plan: UnitPlan
    principal: User
    deputies: list[User]
    educators: list[User]
    special_teachers: list[User]
    counsellors: list[User]
    delegation: Delegation | None  # a no-programme delegation to a specialpedagog (unit A)


@dataclass(eq=False)
class Kid:
    """A pupil as the chain sees them: where they are, who works with them, since when."""

    pupil: Pupil
    unit: ChainUnit
    class_plan: ClassPlan
    grade: int | None
    floor: date  # nothing in the chain before this
    protected: bool
    mentor: User
    educator: User
    guardians: list[Guardian]

    @property
    def id(self) -> uuid.UUID:
        return self.pupil.id


class ChainBase:
    def __init__(self, population: Population) -> None:
        self.population = population
        self.plan = population.plan
        self.today = population.today
        self.rng = random.Random(f"{SEED_SALT}:{self.plan.seed}")
        self.chain = SupportChain()
        self.now = timezone.now()
        # The latest moment in each pupil's timeline per day: a day's events keep the order
        # things were done in, as the services' timestamps would.
        self.latest: dict[tuple[uuid.UUID, date], datetime] = {}

    def uid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def pick(self, choice: Weighted[K]) -> K:
        keys, running = choice
        return self.rng.choices(keys, cum_weights=running)[0]

    def chance(self, share: float) -> bool:
        return self.rng.random() < share

    def moment(self, day: date) -> datetime:
        """A time in the school day of `day`, never after the real now."""
        minutes = self.rng.randrange(7 * 60 + 30, 16 * 60 + 30)
        moment = datetime(
            day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=SCHOOL_TZ
        )
        return min(moment, self.now)

    def row(self, model: type[M], day: date, **values: Any) -> M:
        moment = self.moment(day)
        return make_row(model, id=self.uid(), created_at=moment, updated_at=moment, **values)

    def pupil_record(self, model: type[M], kid: Kid, day: date, author: User, **values: Any) -> M:
        """A record about the pupil at their unit (support.models.PupilRecord), by `author`."""
        return self.row(
            model,
            day,
            pupil_id=kid.id,
            school_unit_id=kid.unit.id,
            created_by_id=author.id,
            **values,
        )

    def touch(self, record: models.Model, day: date) -> None:
        record.__dict__["updated_at"] = max(record.__dict__["updated_at"], self.moment(day))

    def event(
        self, kid: Kid, actor: User, verb: str, record_type: str, record_id: uuid.UUID, day: date
    ) -> None:
        """The change's line in the pupil's timeline, as services._record writes it."""
        key = (kid.id, day)
        moment = self.moment(day)
        moment = self.latest[key] = max(moment, self.latest.get(key, moment))
        self.chain.events.append(
            make_row(
                ChainEvent,
                id=None,
                occurred_at=moment,
                on_date=day,
                pupil_id=kid.id,
                school_unit_id=kid.unit.id,
                actor_id=actor.id,
                verb=verb,
                record_type=record_type,
                record_id=record_id,
            )
        )

    def clamp(self, kid: Kid, day: date) -> date:
        return min(max(day, kid.floor), self.today)

    def backwards(self, kid: Kid, end: date, gaps: Sequence[int]) -> list[date]:
        """Dates d0 ≤ … ≤ dn = end, `gaps` days apart, squeezed into [kid.floor, end]."""
        end = self.clamp(kid, end)
        room = (end - kid.floor).days
        total = sum(gaps)
        if total > room:
            gaps = [int(gap * room / total) for gap in gaps]
        dates = [end]
        for gap in reversed(gaps):
            dates.append(dates[-1] - timedelta(days=gap))
        return dates[::-1]

    def dwell(self, kid: Kid, low: int, high: int, pre: int = 60) -> date:
        """A day `low`–`high` days back, leaving `pre` days of history before it if possible."""
        room = max(0, (self.today - kid.floor).days - pre)
        days = self.rng.randint(min(low, room), max(min(low, room), min(high, room)))
        return plus_days(self.today, -days)
