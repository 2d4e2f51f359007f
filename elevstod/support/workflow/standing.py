"""Who acts for the pupil in a matter under the Education Act (SL 29 kap. 12 §; decision 0013).

From 16 a pupil has the right to act alone ("själv föra sin talan"); in a matter about
gymnasieskola or anpassad gymnasieskola also a younger pupil. Before that the guardians with
custody act for the pupil. The school does not reject an appeal for standing (the board judges
that); it judges only timeliness (FL 45 §). What follows from standing here is narrower:

- a receipt by a pupil who may not act alone starts no appeal time (FL 44 §): the guardians'
  receipt does;
- registering and forwarding an appeal by such a pupil show that a guardian is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from elevstod.support.workflow.refusals import gettext_noop

SL_29_12 = "29 kap. 12 § skollagen"
# Where the note that the guardians are needed rests: standing, and the school's judging only
# timeliness.
GUARDIAN_NEEDED_PARAGRAPHS = "29 kap. 12 § skollagen, 45 § förvaltningslagen"
AGE_OF_STANDING = 16
# The school forms (organisation.school_forms.SchoolForm values) in whose matters a pupil under
# 16 also acts alone: SL 29 kap. 12 § andra stycket. Spelled out here to keep the rules pure.
SCHOOL_FORMS_ACTING_ALONE = frozenset({"gymnasieskola", "anpassad_gymnasieskola"})


def age_on(born_on: date, day: date) -> int:
    """Whole years on `day`. Someone born on 29 February turns a year older on 1 March in a
    year without that day: the later reading, so the guardians act until then."""
    years = day.year - born_on.year
    if (day.month, day.day) < (born_on.month, born_on.day):
        years -= 1
    return years


@dataclass(frozen=True)
class Standing:
    """Whether the pupil acts alone on a day, and why (the reason names the paragraph)."""

    acts_alone: bool
    age: int
    by_school_form: bool = False  # acts alone under 16 in a gymnasium matter


def standing_on(born_on: date, day: date, school_form: str | None = None) -> Standing:
    """The pupil's standing on `day` in a matter at a unit of `school_form` (None: unknown,
    then age alone decides)."""
    age = age_on(born_on, day)
    if age >= AGE_OF_STANDING:
        return Standing(acts_alone=True, age=age)
    by_form = school_form in SCHOOL_FORMS_ACTING_ALONE
    return Standing(acts_alone=by_form, age=age, by_school_form=by_form)


# What the pages say where the pupil may not act alone. Not refusals: the school registers and
# forwards the appeal whoever wrote it; the board judges standing.
GUARDIAN_NEEDED = gettext_noop(
    "Eleven har inte fyllt 16 år och får inte själv föra sin talan. Vårdnadshavarna behöver "
    "stå bakom överklagandet. Skolan registrerar och lämnar ändå över det: skolan prövar bara "
    "om det har kommit in i tid, räknat från vårdnadshavarnas delgivning, och nämnden prövar "
    "talerätten."
)
