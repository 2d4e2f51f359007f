"""The generated access log: who read which pupil, when and in what role (security.md P1, P4).

Volume. scale.md gives access-log rows per year for each tier (small 90 k, medium 3 M, large 25 M).
The log covers the school days of the current academic year before `today` at the yearly rate
(rows per year spread evenly over the year's school days), but holds at most ACCESS_LOG_SHARE of
the yearly figure, about the first three months of term. The cap keeps the large tier within its
time budget on PostgreSQL; later in the year the same volume is spread over more days. On a day in
mid-November the cap applies: small 25 200, medium 840 000, large 7 000 000 rows.

Realism. Every row is one that elevstod.access.lookup and the views would have written:
- reads of one pupil (record type "pupil"): by a member of staff who has a relation to the pupil
  under elevstod.access.policy (mentor or teacher of one of the pupil's groups this year, a leader,
  special educator or special teacher of the pupil's unit, a member of its elevhälsoteam), with the
  acting role the policy derives (the strongest relation), the pupil's current unit, mostly "view"
  with a few "print" and "export", mostly on the web and some over the API. Protected pupils are
  read only by the staff assigned to them. Pupils who moved in mid-year are read from their
  arrival. A fifth of the pupils (those with support, scale.md) draw most of the reading;
- lists ("pupil_list", no pupil, no acting role, as the list views write them), by the same staff;
- refusals (about 0.5 %): staff of another unit, without any relation, trying to open a pupil;
- loggkontroller: a few LogReview rows per unit by its rektor, each with the "log_review" event the
  review page writes, over a period that ended before the review and with the events it covered.
Times fall on school days (elevstod.demo.school_year) between 07:00 and 17:00 Swedish time, more
in the mornings and early afternoons, and are stored in UTC. Rows are written in time order, so
the database's ids grow with time as they would in production. Nothing is dated on or after
`today`: the snapshot describes the morning of that day.

The rows are never held as model instances: they are drawn day by day from their own seeded
Random and streamed to the database (COPY on PostgreSQL, executemany elsewhere), without ids. For
a log of REBUILD_ROWS or more, PostgreSQL's plain indexes on the table are dropped inside the
generator's transaction and rebuilt after the COPY (three times faster for large); SQLite gets a
bigger page cache while the rows go in.
"""

import bisect
import hashlib
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import accumulate
from operator import itemgetter
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.db import connection

from elevstod.access.policy import Relation, acting_role
from elevstod.audit.models import (
    AccessAction,
    AccessEvent,
    AccessOutcome,
    LogReview,
    ReviewOutcome,
)
from elevstod.demo.school_year import YearSpec, school_days
from elevstod.demo.shares import split

SCHOOL_TZ = ZoneInfo("Europe/Stockholm")
ACCESS_LOG_SHARE = 0.28  # at most this share of the yearly rows (about three months of term)
DENIED_SHARE = 0.005
LIST_SHARE = 0.06
PRINT_SHARE = 0.02  # of the reads of one pupil
EXPORT_SHARE = 0.008
API_SHARE = 0.04  # of the views of one pupil; lists: LIST_API_SHARE
LIST_API_SHARE = 0.1
# PostgreSQL: from this many rows the plain indexes are dropped and rebuilt after the COPY.
REBUILD_ROWS = 500_000
REBUILD_MEMORY = "256MB"  # maintenance_work_mem for the rebuild, in the transaction only
SQLITE_CACHE_KIB = -262_144  # SQLite's page cache while writing the log (negative: KiB), 256 MiB
FOCUS_SHARE = 0.2  # pupils with extra adaptations or more (scale.md) ...
FOCUS_WEIGHT = 8  # ... are read this many times as often as the others
# How the reading of one pupil is shared between the relations (shared equally within each).
ROLE_WEIGHTS: dict[str, float] = {
    Relation.MENTOR: 30,
    Relation.TEACHER: 30,
    Relation.SPECIAL_EDUCATION: 18,
    Relation.PUPIL_HEALTH_TEAM: 12,
    Relation.PRINCIPAL: 10,
    Relation.PROTECTED_ASSIGNMENT: 10,
}
# Swedish local hour → weight: busy mornings and early afternoons, quiet at lunch.
HOUR_WEIGHTS = (
    (7, 4), (8, 11), (9, 12), (10, 11), (11, 7), (12, 6), (13, 11), (14, 12), (15, 9), (16, 5),
)  # fmt: skip
WEEKDAY_WEIGHTS = (1.05, 1.1, 1.0, 1.05, 0.8)  # Monday to Friday
REVIEWS_PER_UNIT = (3, 6)
REVIEW_OUTCOMES = (
    (ReviewOutcome.NO_REMARKS, 85),
    (ReviewOutcome.FOLLOW_UP, 12),
    (ReviewOutcome.INCIDENT, 3),
)
REVIEW_NOTES = {
    ReviewOutcome.NO_REMARKS: ("", "Stickprov utan anmärkningar.", "Inga avvikelser."),
    ReviewOutcome.FOLLOW_UP: (
        "Några läsningar utan tydligt syfte; följs upp med berörd personal.",
        "Nekade försök från annan enhet; kontrollerar med enhetens rektor.",
    ),
    ReviewOutcome.INCIDENT: (
        "Läsning utan koppling till elevens stöd. Anmält till huvudmannen enligt rutin.",
    ),
}
VIEW, LIST = AccessAction.VIEW.value, AccessAction.LIST.value
ALLOWED = AccessOutcome.ALLOWED.value
# The columns written, in order; the id is the database's to assign.
FIELDS = (
    "occurred_at",
    "actor",
    "acting_role",
    "school_unit",
    "pupil",
    "record_type",
    "record_id",
    "action",
    "outcome",
    "purpose",
    "channel",
)
Row = tuple[str | None, ...]
# (actor, acting role) pairs that may read a pupil, and their cumulative weights.
Candidates = tuple[list[tuple[str, str]], list[float]]


@dataclass
class UnitActors:
    unit_id: uuid.UUID
    principal_id: uuid.UUID
    # Unit-wide relations: leaders (principal), special educators and teachers
    # (special_education), members of the elevhälsoteam with a duty at the unit.
    relations: dict[uuid.UUID, set[Relation]]
    staff: frozenset[uuid.UUID]  # everyone with a duty at the unit
    assigned: list[uuid.UUID]  # the staff assigned to the unit's protected pupils


@dataclass
class ClassActors:
    unit_index: int
    relations: dict[uuid.UUID, set[Relation]]  # mentors and teachers of the class's groups


@dataclass
class LogSource:
    """What the log is drawn from, collected by the generator from its plan."""

    seed: int
    today: date
    year: YearSpec
    rows_per_year: int
    units: list[UnitActors] = field(default_factory=list)
    classes: list[ClassActors] = field(default_factory=list)
    # (pupil id, class index, protected, first day of the current placement)
    pupils: list[tuple[uuid.UUID, int, bool, date]] = field(default_factory=list)

    @property
    def days(self) -> list[date]:
        """The school days the log covers: from the start of the year up to yesterday."""
        return school_days(self.year, self.year.starts_on, self.today - timedelta(days=1))

    @property
    def planned_rows(self) -> int:
        """Reads, lists and refusals (the log reviews' own events come on top)."""
        covered = self.days
        if not covered:
            return 0
        whole_year = len(school_days(self.year, self.year.starts_on, self.year.ends_on))
        share = min(len(covered) / whole_year, ACCESS_LOG_SHARE)
        return round(self.rows_per_year * share)


@dataclass
class _Review:
    unit_index: int
    day: date
    second: int  # local time of day
    period_start: date
    period_end: date
    pupil_index: int | None
    user_id: uuid.UUID | None
    outcome: str
    note: str


def _candidates(
    relations: dict[uuid.UUID, set[Relation]], text: Callable[[uuid.UUID], str]
) -> Candidates:
    """(actor, acting role) pairs and their cumulative weights, by the roles' shares."""
    by_role: dict[str, list[uuid.UUID]] = {}
    for actor in sorted(relations, key=lambda user: user.int):
        by_role.setdefault(acting_role(frozenset(relations[actor])), []).append(actor)
    pairs: list[tuple[str, str]] = []
    cumulative: list[float] = []
    total = 0.0
    for role in Relation:
        actors = by_role.get(role.value, [])
        for actor in actors:
            total += ROLE_WEIGHTS.get(role.value, 0) / len(actors)
            pairs.append((text(actor), role.value))
            cumulative.append(total)
    return pairs, cumulative


class AccessLogGenerator:
    """Draws the log day by day; after `days()` is exhausted, `reviews()` gives the LogReviews.

    `uuid_text` and `null` shape the values for the database: PostgreSQL's COPY takes dashed
    UUIDs and \\N, SQLite hex UUIDs and None. `utc_suffix` is appended to each UTC timestamp.
    """

    def __init__(
        self,
        source: LogSource,
        *,
        uuid_text: Callable[[uuid.UUID], str] = str,
        null: str | None = None,
        utc_suffix: str = "",
    ) -> None:
        self.source = source
        self.uuid_text = uuid_text
        self.null = null
        self.utc_suffix = utc_suffix
        self.rng = random.Random(f"access-log:{source.seed}")
        self.day_list = source.days
        self.day_index = {day: index for index, day in enumerate(self.day_list)}
        weights = [
            WEEKDAY_WEIGHTS[day.weekday()] * self.rng.uniform(0.85, 1.15) for day in self.day_list
        ]
        self.counts = split(source.planned_rows, weights)
        self.hms = [
            f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"
            for second in range(86_400)
        ]
        self.hour_starts = [hour * 3600 for hour, _weight in HOUR_WEIGHTS]
        self.hour_cumulative = list(accumulate(float(weight) for _hour, weight in HOUR_WEIGHTS))
        units = source.units
        self.unit_text = [uuid_text(unit.unit_id) for unit in units]
        self.principal_text = [uuid_text(unit.principal_id) for unit in units]
        self.staff_text = {user: uuid_text(user) for unit in units for user in unit.staff}
        self.all_staff = sorted(self.staff_text, key=lambda user: user.int)
        self.index_pupils()
        # Tallies for the reviews' events_seen: per unit and day, and for the reviewed pupils
        # and users.
        self.unit_day_counts: list[list[int]] = []
        self.pupil_counts: dict[tuple[int, int], int] = {}
        self.user_counts: dict[tuple[str, int, int], int] = {}
        self.planned_reviews = self._plan_reviews()
        reviews = self.planned_reviews
        self.target_pupils = {r.pupil_index for r in reviews if r.pupil_index is not None}
        self.target_users = {uuid_text(r.user_id) for r in reviews if r.user_id is not None}

    def index_pupils(self) -> None:
        """Per pupil: who may read them and how often. A FOCUS_SHARE of the pupils (those with
        support) are read FOCUS_WEIGHT times as often; protected pupils only by their assigned
        staff."""
        source, units = self.source, self.source.units
        protected_candidates = [self._protected_candidates(unit) for unit in units]
        class_candidates = [self._class_candidates(klass) for klass in source.classes]
        # Per pupil: (id text, record id, unit index, candidates, their cumulative weights).
        self.pupil_info: list[tuple[str, str, int, list[tuple[str, str]], list[float]]] = []
        self.pupil_start: list[int] = []
        self.pupil_cumulative: list[float] = []
        self.pupils_at: list[list[int]] = [[] for _ in units]
        self.protected_at: list[list[int]] = [[] for _ in units]
        running = 0.0
        for index, (pupil_id, class_index, protected, starts_on) in enumerate(source.pupils):
            unit_index = source.classes[class_index].unit_index
            pairs, cumulative = (
                protected_candidates[unit_index] if protected else class_candidates[class_index]
            )
            self.pupil_info.append(
                (self.uuid_text(pupil_id), str(pupil_id), unit_index, pairs, cumulative)
            )
            self.pupil_start.append(starts_on.toordinal())
            running += FOCUS_WEIGHT if self.rng.random() < FOCUS_SHARE else 1
            self.pupil_cumulative.append(running)
            self.pupils_at[unit_index].append(index)
            if protected:
                self.protected_at[unit_index].append(index)
        self.pupil_total = running

    def _protected_candidates(self, unit: UnitActors) -> Candidates:
        relations = {
            user: unit.relations.get(user, set()) | {Relation.PROTECTED_ASSIGNMENT}
            for user in unit.assigned
        }
        return _candidates(relations, self.uuid_text)

    def _class_candidates(self, klass: ClassActors) -> Candidates:
        unit = self.source.units[klass.unit_index]
        merged = {user: set(found) for user, found in unit.relations.items()}
        for user, found in klass.relations.items():
            merged.setdefault(user, set()).update(found)
        return _candidates(merged, self.uuid_text)

    # --- the log reviews -----------------------------------------------------------------

    def _plan_reviews(self) -> list[_Review]:
        rng, source = self.rng, self.source
        eligible = self.day_list[10:]  # the first review after two weeks of term
        class_users: list[set[uuid.UUID]] = [set() for _ in source.units]
        for klass in source.classes:
            class_users[klass.unit_index].update(klass.relations)
        reviews: list[_Review] = []
        if not eligible:
            return reviews
        for unit_index in range(len(source.units)):
            count = min(rng.randint(*REVIEWS_PER_UNIT), len(eligible))
            for day in sorted(rng.sample(eligible, count)):
                period_end = day - timedelta(days=1)
                period_start = max(
                    source.year.starts_on, period_end - timedelta(days=rng.choice((6, 13, 27)))
                )
                roll = rng.random()
                pupil_index: int | None = None
                user_id: uuid.UUID | None = None
                if roll < 0.15 and self.protected_at[unit_index]:
                    pupil_index = rng.choice(self.protected_at[unit_index])
                elif roll < 0.3 and self.pupils_at[unit_index]:
                    pupil_index = rng.choice(self.pupils_at[unit_index])
                elif roll < 0.4 and class_users[unit_index]:
                    user_id = rng.choice(sorted(class_users[unit_index], key=lambda u: u.int))
                outcome = rng.choices(
                    [outcome for outcome, _w in REVIEW_OUTCOMES],
                    [weight for _o, weight in REVIEW_OUTCOMES],
                )[0]
                reviews.append(
                    _Review(
                        unit_index=unit_index,
                        day=day,
                        second=rng.randint(13 * 3600, 16 * 3600 + 1800),
                        period_start=period_start,
                        period_end=period_end,
                        pupil_index=pupil_index,
                        user_id=user_id,
                        outcome=outcome,
                        note=rng.choice(REVIEW_NOTES[ReviewOutcome(outcome)]),
                    )
                )
        return reviews

    def reviews(self) -> list[LogReview]:
        """The LogReview rows, with the events each one covered. Call after `days()`."""
        found = []
        for review in self.planned_reviews:
            covered = [
                index
                for index, day in enumerate(self.day_list)
                if review.period_start <= day <= review.period_end
            ]
            if review.pupil_index is not None:
                seen = sum(self.pupil_counts.get((review.pupil_index, d), 0) for d in covered)
            elif review.user_id is not None:
                actor = self.staff_text[review.user_id]
                seen = sum(self.user_counts.get((actor, review.unit_index, d), 0) for d in covered)
            else:
                seen = sum(self.unit_day_counts[d][review.unit_index] for d in covered)
            unit = self.source.units[review.unit_index]
            local = datetime.combine(review.day, time(), tzinfo=SCHOOL_TZ) + timedelta(
                seconds=review.second
            )
            found.append(
                LogReview(
                    reviewed_at=local,
                    reviewer_id=unit.principal_id,
                    school_unit_id=unit.unit_id,
                    period_start=review.period_start,
                    period_end=review.period_end,
                    pupil_id=(
                        self.source.pupils[review.pupil_index][0]
                        if review.pupil_index is not None
                        else None
                    ),
                    reviewed_user_id=review.user_id,
                    events_seen=seen,
                    outcome=review.outcome,
                    note=review.note,
                )
            )
        return found

    # --- the rows ------------------------------------------------------------------------

    def days(self) -> Iterator[list[Row]]:
        """The rows of each school day, in time order."""
        reviews_on: dict[date, list[_Review]] = {}
        for review in self.planned_reviews:
            reviews_on.setdefault(review.day, []).append(review)
        for index, (day, count) in enumerate(zip(self.day_list, self.counts, strict=True)):
            yield self._day(index, day, count, reviews_on.get(day, []))

    def _day(self, day_index: int, day: date, count: int, reviews: list[_Review]) -> list[Row]:
        offset = _utc_offset_seconds(day)
        # School hours in Sweden are the same UTC date: only the time of day shifts.
        prefix, suffix, hms = day.isoformat() + " ", self.utc_suffix, self.hms
        stamps = [prefix + hms[second - offset] + suffix for second in self._seconds(count)]
        unit_counts = [0] * len(self.source.units)
        rows = self._reads(stamps, day, day_index, unit_counts)
        for review in reviews:
            # The review page's own event, a few minutes before the review is recorded.
            stamp = prefix + hms[review.second - 300 - offset] + suffix
            self._review_event(rows, stamp, review, day_index, unit_counts)
        self.unit_day_counts.append(unit_counts)
        return rows

    def _seconds(self, count: int) -> list[int]:
        """`count` moments of the school day (seconds after midnight, local), in order."""
        rnd, bisect_right = self.rng.random, bisect.bisect_right
        hour_starts, hour_cumulative = self.hour_starts, self.hour_cumulative
        hour_total = hour_cumulative[-1]
        return sorted(
            hour_starts[bisect_right(hour_cumulative, rnd() * hour_total)] + int(rnd() * 3600)
            for _ in range(count)
        )

    def _reads(
        self, stamps: list[str], day: date, day_index: int, unit_counts: list[int]
    ) -> list[Row]:
        """The day's reads of one pupil, lists and refusals, one per moment. The common case,
        a read by someone with a relation, stays inline: the large tier draws millions."""
        rnd, bisect_right = self.rng.random, bisect.bisect_right
        info, starts, unit_text = self.pupil_info, self.pupil_start, self.unit_text
        pupil_cumulative, pupil_total = self.pupil_cumulative, self.pupil_total
        target_pupils, target_users = self.target_pupils, self.target_users
        pupil_counts, user_counts = self.pupil_counts, self.user_counts
        today_ordinal = day.toordinal()
        list_cut = DENIED_SHARE + LIST_SHARE
        rows: list[Row] = []
        append = rows.append
        for stamp in stamps:
            roll = rnd()
            if roll < DENIED_SHARE:
                index, actor, row = self._refusal(stamp, today_ordinal)
            else:
                index = bisect_right(pupil_cumulative, rnd() * pupil_total)
                while starts[index] > today_ordinal:
                    index = bisect_right(pupil_cumulative, rnd() * pupil_total)
                pupil, record, unit, pairs, cumulative = info[index]
                actor, role = pairs[bisect_right(cumulative, rnd() * cumulative[-1])]
                if roll < list_cut:
                    append(self._list_row(stamp, actor, unit, day_index, unit_counts))
                    continue
                action, purpose, channel = self._read_kind(rnd())
                row = (stamp, actor, role, unit_text[unit], pupil, "pupil", record, action,
                       ALLOWED, purpose, channel)  # fmt: skip
            append(row)
            unit = info[index][2]
            unit_counts[unit] += 1
            if index in target_pupils:
                key = (index, day_index)
                pupil_counts[key] = pupil_counts.get(key, 0) + 1
            if actor in target_users:
                user_key = (actor, unit, day_index)
                user_counts[user_key] = user_counts.get(user_key, 0) + 1
        return rows

    def _refusal(self, stamp: str, today_ordinal: int) -> tuple[int, str, Row]:
        """Any pupil, tried by someone who works only at other units (security.md P4)."""
        rnd, info, starts = self.rng.random, self.pupil_info, self.pupil_start
        n_pupils, n_staff = len(info), len(self.all_staff)
        index = int(rnd() * n_pupils)
        while starts[index] > today_ordinal:
            index = int(rnd() * n_pupils)
        pupil, record, unit, _pairs, _cumulative = info[index]
        unit_staff = self.source.units[unit].staff
        user = self.all_staff[int(rnd() * n_staff)]
        while user in unit_staff:
            user = self.all_staff[int(rnd() * n_staff)]
        actor = self.staff_text[user]
        row = (stamp, actor, "", self.unit_text[unit], pupil, "pupil", record, VIEW,
               AccessOutcome.DENIED.value, "pupil_page", "web")  # fmt: skip
        return index, actor, row

    def _list_row(
        self, stamp: str, actor: str, unit: int, day_index: int, unit_counts: list[int]
    ) -> Row:
        """A list of pupils, sometimes filtered to the unit; no pupil, no acting role."""
        rnd, null = self.rng.random, self.null
        if rnd() < LIST_API_SHARE:
            return (stamp, actor, "", null, null, "pupil_list", "", LIST, ALLOWED, "", "api")
        listed_unit: str | None = self.unit_text[unit] if rnd() < 0.5 else null
        purpose = "search" if rnd() < 0.3 else ""
        if listed_unit is not null:
            self._count(unit_counts, unit, None, actor, day_index)
        return (stamp, actor, "", listed_unit, null, "pupil_list", "", LIST, ALLOWED, purpose,
                "web")  # fmt: skip

    def _read_kind(self, roll: float) -> tuple[str, str, str]:
        """(action, purpose, channel): mostly views on the web, a few prints, exports and
        reads over the API."""
        if roll < PRINT_SHARE:
            return AccessAction.PRINT.value, "pupil_page", "web"
        if roll < PRINT_SHARE + EXPORT_SHARE:
            return AccessAction.EXPORT.value, "", "web"
        if roll < PRINT_SHARE + EXPORT_SHARE + API_SHARE:
            return VIEW, "api_pupil", "api"
        return VIEW, "pupil_page", "web"

    def _review_event(
        self, rows: list[Row], stamp: str, review: _Review, day_index: int, unit_counts: list[int]
    ) -> None:
        """The log review page's own event, placed in time among the day's rows."""
        unit, pupil_index = review.unit_index, review.pupil_index
        pupil_text = self.pupil_info[pupil_index][0] if pupil_index is not None else self.null
        actor = self.principal_text[unit]
        role, review_action = Relation.PRINCIPAL.value, AccessAction.LOG_REVIEW.value
        row: Row = (stamp, actor, role, self.unit_text[unit], pupil_text, "access_log", "",
                    review_action, ALLOWED, "", "web")  # fmt: skip
        bisect.insort(rows, row, key=itemgetter(0))
        self._count(unit_counts, unit, pupil_index, actor, day_index)

    def _count(
        self,
        unit_counts: list[int],
        unit: int,
        pupil_index: int | None,
        actor: str,
        day_index: int,
    ) -> None:
        """Tally an event for the log reviews' events_seen."""
        unit_counts[unit] += 1
        if pupil_index is not None and pupil_index in self.target_pupils:
            key = (pupil_index, day_index)
            self.pupil_counts[key] = self.pupil_counts.get(key, 0) + 1
        if actor in self.target_users:
            user_key = (actor, unit, day_index)
            self.user_counts[user_key] = self.user_counts.get(user_key, 0) + 1


def _utc_offset_seconds(day: date) -> int:
    """Sweden's offset from UTC at noon on `day` (summer or winter time)."""
    offset = datetime.combine(day, time(12), tzinfo=SCHOOL_TZ).utcoffset()
    assert offset is not None  # an aware time always has one
    return int(offset.total_seconds())


def log_digest(source: LogSource) -> str:
    """A fingerprint of the rows and reviews the source gives, to compare runs and processes."""
    generator = AccessLogGenerator(source)
    digest = hashlib.sha256()
    for rows in generator.days():
        digest.update(repr(rows).encode())
    for review in generator.reviews():
        values = [getattr(review, f.attname) for f in LogReview._meta.concrete_fields]
        digest.update(repr(values).encode())
    return digest.hexdigest()


def write_access_log(source: LogSource) -> tuple[int, list[LogReview]]:
    """Stream the rows into the database; returns the rows written and the unsaved reviews."""
    postgres = connection.vendor == "postgresql"
    generator = AccessLogGenerator(
        source,
        uuid_text=str if postgres else _hex,
        null="\\N" if postgres else None,
        utc_suffix="+00" if postgres else "",
    )
    quote = connection.ops.quote_name
    table = quote(AccessEvent._meta.db_table)
    column_of = {f.name: f.column for f in AccessEvent._meta.concrete_fields}
    columns = ", ".join(quote(column_of[name]) for name in FIELDS)
    written = 0
    with connection.cursor() as cursor:
        if postgres:
            rebuild = drop_plain_indexes(cursor) if source.planned_rows >= REBUILD_ROWS else []
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for rows in generator.days():
                    if rows:
                        # On PostgreSQL every value is text (null is \\N), so the rows join.
                        text_rows = cast(list[tuple[str, ...]], rows)
                        copy.write("\n".join(map("\t".join, text_rows)) + "\n")
                        written += len(rows)
            if rebuild:
                cursor.execute(f"SET LOCAL maintenance_work_mem = '{REBUILD_MEMORY}'")
                for statement in rebuild:
                    cursor.execute(statement)
            # Fresh statistics, so the planner knows the table's size right away.
            cursor.execute(f"ANALYZE {table}")
        else:
            placeholders = ", ".join(["%s"] * len(FIELDS))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 - names from the model
            sqlite = connection.vendor == "sqlite"
            if sqlite:
                # Four indexes with random keys: a bigger page cache halves the time (medium).
                cursor.execute("PRAGMA cache_size")
                cache_size = int(cursor.fetchone()[0])
                cursor.execute(f"PRAGMA cache_size = {SQLITE_CACHE_KIB}")
            try:
                for rows in generator.days():
                    if rows:
                        cursor.executemany(sql, rows)
                        written += len(rows)
            finally:
                if sqlite:
                    cursor.execute(f"PRAGMA cache_size = {cache_size}")
    return written, generator.reviews()


def plain_index_definitions(cursor: Any) -> dict[str, str]:
    """The log's plain indexes (not the primary key, nothing behind a constraint), by name, each
    with the statement that builds it."""
    cursor.execute(
        """
        SELECT index_class.relname, pg_get_indexdef(index_class.oid)
        FROM pg_index
        JOIN pg_class index_class ON index_class.oid = pg_index.indexrelid
        WHERE pg_index.indrelid = %s::regclass
          AND NOT pg_index.indisprimary
          AND NOT pg_index.indisunique
          AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = pg_index.indexrelid)
        ORDER BY index_class.relname
        """,
        [AccessEvent._meta.db_table],
    )
    return dict(cursor.fetchall())


def drop_plain_indexes(cursor: Any) -> list[str]:
    """Drop the log's plain indexes; returns the statements to rebuild them.

    Eight indexes with random keys make a multi-million-row COPY several times slower than
    loading the table and building each index once. All of it runs in the caller's
    transaction, so a failure leaves the indexes as they were.
    """
    found = plain_index_definitions(cursor)
    for name in found:
        cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    return list(found.values())


def _hex(value: uuid.UUID) -> str:
    return value.hex
