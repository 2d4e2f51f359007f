"""The support chain walked in the browser by the people who do it, with axe on every page.

Each person signs in through the real form and works through the real pages by their Swedish
labels and buttons: the teacher raises a concern and gives an extra adaptation, the mentor
reports to the rektor, the rektor opens the investigation, the specialpedagog investigates and
drafts the programme, the rektor decides and serves it, the guardian confirms receipt and adds
their view, the teacher evaluates and the rektor closes the programme. A second walk takes the
"no programme" path to an appeal forwarded to Skolväsendets överklagandenämnd.

axe-core runs on every page visited and on every form state that matters (form errors,
refusals with their rule and paragraph, the conflict view). Further checks: a concern posted
without JavaScript, and the investigation editor's autosave keeping typed text over a reload.
What is wrong is collected in the Audit and listed at the end, so one run shows every problem;
only a step the walk cannot continue past stops it (and the report names that step).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page
from playwright.sync_api import Error as PlaywrightError

from elevstod.people.models import Pupil
from elevstod.support import services
from elevstod.support import workflow as wf
from elevstod.support.calendar import days_off_around
from elevstod.support.models import (
    ActionProgramme,
    Adaptation,
    Appeal,
    Concern,
    Decision,
    Draft,
    FollowUp,
    Referral,
)
from elevstod.support.tests.builders import communicated
from tests.browser.support import Audit, follow, label, open_context, sign_in, submit
from tests.matrix_rows.programme import investigation_for
from tests.world import CANARIES, World, build_world

pytestmark = pytest.mark.browser

# Names that read well in a report; the world's own are random (tests/factories.py).
NAMES = {
    "teacher_a": ("Lena", "Lärare"),
    "mentor_a": ("Maja", "Mentor"),
    "principal_a": ("Rut", "Rektor"),
    "special_educator_a": ("Sara", "Specialpedagog"),
}
CONCERN_TEXT = "Eleven hinner inte klart med uppgifterna i matematik och ger upp."
NEED_TEXT = "Behöver kortare instruktioner och stöd att komma igång med uppgifter."
MEASURE_TEXT = "Instruktioner i korta steg på bänken och en checklista för lektionen."
REFERRAL_TEXT = "Trots anpassningarna hinner eleven inte klart och riskerar att inte nå målen."
PROGRAMME_MEASURE = "Matematikstöd med speciallärare två gånger i veckan i den egna gruppen."
GUARDIAN_VIEW = "Vi tycker att stödet hjälper och vill gärna vara med på utvärderingen."
AUTOSAVE_TEXT = "Eleven arbetar bättre på förmiddagen – skrivet utan att spara."
RECTOR_TEXT = "Rektorn skrev samtidigt: instruktionerna är för långa."


def _name(world: World, persona: str) -> str:
    return world.users[persona].display_name  # type: ignore[attr-defined]


def _readable_names(world: World) -> None:
    for persona, (first, last) in NAMES.items():
        user = world.users[persona]
        user.first_name, user.last_name = first, last  # type: ignore[attr-defined]
        user.save()  # type: ignore[attr-defined]


@dataclass
class Walk:
    """One browser walk: each person in a fresh browser context, every page audited."""

    chromium: Browser
    base_url: str
    world: World
    # The walk audits its form states in the light scheme; the crawl audits every kind of
    # page in both (test_accessibility.py).
    audit: Audit = field(default_factory=lambda: Audit(schemes=("light",)))
    step: str = ""
    javascript: bool = True
    page: Page | None = None

    @contextmanager
    def signed_in(self, persona: str, *, javascript: bool = True) -> Iterator[Page]:
        context = open_context(self.chromium, self.base_url, javascript=javascript)
        page = context.new_page()
        self.javascript, self.page = javascript, page
        self.audit.watch(page, persona)
        try:
            status = sign_in(page, persona)
            signed_in = status < 400 and "/accounts/login/" not in page.url
            assert signed_in, f"{persona} could not sign in (HTTP {status}, {page.url})"
            yield page
        finally:
            context.close()

    @contextmanager
    def doing(self, step: str) -> Iterator[None]:
        """Name the step; a step the walk cannot get past ends it with the whole report.

        With ELEVSTOD_WALK_DUMP=<file>, the page the walk stopped on is written there.
        """
        self.step = step
        try:
            yield
        except (PlaywrightError, AssertionError) as error:
            lines = str(error).strip().splitlines()
            where = self.page.url if self.page is not None else ""
            self.audit.problems.append(
                f"THE WALK STOPPED at {self.step!r} on {where}: "
                f"{type(error).__name__}: {lines[0] if lines else ''}"
            )
            if os.environ.get("ELEVSTOD_WALK_DUMP") and self.page is not None:
                Path(os.environ["ELEVSTOD_WALK_DUMP"]).write_text(self.page.content())
            pytest.fail(self.audit.report(), pytrace=False)

    # ------------------------------------------------------------------ pages

    def landed(
        self, page: Page, who: str, status: int, state: str = "", *, expect: int = 0
    ) -> None:
        """After a navigation: the status, the banner, no personal data in the URL, axe."""
        if expect:
            self.audit.check(status == expect, who, page.url, f"HTTP {status}, expected {expect}")
        else:
            self.audit.check(0 < status < 400, who, page.url, f"HTTP {status} {state}".strip())
        self.audit.check("/accounts/login/" not in page.url, who, page.url, "the session was lost")
        self.no_personal_data_in_url(page, who)
        self.audit.check_banner(page, who)
        if self.javascript:  # axe is a script: without JavaScript the same HTML is not audited
            self.audit.axe(page, who, state)

    def visit(self, page: Page, who: str, url: str) -> None:
        response = page.goto(url)
        self.landed(page, who, response.status if response is not None else 0)

    def follow(self, page: Page, who: str, name: str, *, button: bool = False) -> None:
        status = follow(page, name, role="button" if button else "link")
        self.landed(page, who, status)

    def submit(
        self, page: Page, who: str, button: str, state: str = "", *, expect: int = 0
    ) -> None:
        self.landed(page, who, submit(page, button), state, expect=expect)

    def no_personal_data_in_url(self, page: Page, who: str) -> None:
        names = [*CANARIES.values(), *(last for _first, last in NAMES.values())]
        leaked = [name for name in names if name.lower() in page.url.lower()]
        self.audit.check(not leaked, who, page.url, f"personal data in the URL: {leaked}")

    # ------------------------------------------------------------------ what a person sees

    def see(self, page: Page, who: str, *texts: str) -> None:
        main = page.locator("main").inner_text()
        for text in texts:
            self.audit.check(text in main, who, page.url, f"expected to see {text!r}")

    def not_see(self, page: Page, who: str, *texts: str) -> None:
        main = page.locator("main").inner_text()
        for text in texts:
            self.audit.check(text not in main, who, page.url, f"should not show {text!r}")

    def refused(self, page: Page, who: str, rule_text: str, paragraph: str) -> None:
        """The refusal is shown as the rule's message and its paragraph, as an alert."""
        alert = page.get_by_role("alert").filter(has_text="Det gick inte")
        shown = alert.count() == 1
        text = alert.inner_text() if shown else ""
        self.audit.check(
            shown and rule_text in text and paragraph in text,
            who,
            page.url,
            f"expected the refusal {rule_text!r} ({paragraph}), the alert said {text!r}",
        )

    def tasks(self, page: Page, who: str, *expected: str) -> None:
        """What "Mina uppgifter" (from the main menu) lists as due from this person."""
        self.follow(page, who, "Mina uppgifter")
        listed = page.locator("#task-list th[scope=row]").all_inner_texts()
        for task in expected:
            self.audit.check(
                task in listed, who, page.url, f"Mina uppgifter should list {task!r}: {listed}"
            )

    def support_page(self, page: Page, who: str, pupil: str = "x") -> None:
        """The pupil's page, then its link to the support page, as a person would go."""
        self.visit(page, who, f"/elever/{self.world.pupils[pupil].pk}/")
        self.follow(page, who, "Elevens stöd i skolan")

    def level(self, page: Page, who: str, expected: str) -> None:
        current = page.locator('ol.support-levels li[aria-current="step"]')
        shown = current.inner_text().strip() if current.count() == 1 else ""
        self.audit.check(
            shown == expected, who, page.url, f"support level {shown!r}, expected {expected!r}"
        )

    def serve(
        self, page: Page, who: str, name: str, method: str, sent: date, received: date
    ) -> None:
        """Record how and when one recipient got the decision, in that recipient's own form."""
        form = page.locator("fieldset").filter(has_text=f"Registrera delgivning: {name}")
        form.get_by_label(label("Sätt")).select_option(label=method)
        form.get_by_label(label("Skickat")).fill(sent.isoformat())
        form.get_by_label(label("Fick del av beslutet")).fill(received.isoformat())
        with page.expect_navigation() as navigation:
            form.get_by_role("button", name="Spara delgivningen").click()
        response = navigation.value
        self.landed(page, who, response.status if response is not None else 0)
        self.see(page, who, f"Delgivningen för {name} är registrerad.")

    def timeline(self, page: Page) -> int:
        return page.locator("ol.timeline > li").count()

    def grew(self, page: Page, who: str, before: int) -> int:
        now = self.timeline(page)
        self.audit.check(now > before, who, page.url, f"the timeline did not grow ({before})")
        return now


def starting(text: str) -> re.Pattern[str]:
    """A label that starts with `text`, for choices whose wording ends in their paragraphs."""
    return re.compile(rf"^\s*{re.escape(text)}")


def fill(page: Page, text: str, value: str) -> None:
    page.get_by_label(label(text)).fill(value)


def check(page: Page, text: str) -> None:
    page.get_by_label(label(text)).check()


def choose(page: Page, text: str, option: str) -> None:
    page.get_by_label(label(text)).select_option(label=option)


# ============================================================================ test 1


def test_the_whole_chain_across_roles(chromium: Browser, site: str) -> None:
    world = build_world()
    _readable_names(world)
    walk = Walk(chromium, site, world)
    pupil = world.pupils["x"]
    today = timezone.localdate()
    teacher, specialist = _name(world, "teacher_a"), _name(world, "special_educator_a")

    # -------------------------------------------------------------- teacher: concern, adaptation
    with walk.signed_in("teacher_a") as page, walk.doing("the teacher raises a concern"):
        who = "teacher_a"
        walk.support_page(page, who)
        walk.level(page, who, "Ledning och stimulans")
        events = walk.timeline(page)
        walk.follow(page, who, "Anmäl oro", button=True)
        walk.submit(page, who, "Spara oron", "(form errors)")
        walk.see(page, who, "Uppgifterna kunde inte sparas")
        check(page, "Undervisningen")
        fill(page, "Ämne eller situation", "Matematik")
        fill(page, "Beskriv oron", CONCERN_TEXT)
        walk.submit(page, who, "Spara oron")
        walk.see(page, who, "Oron är registrerad.", CONCERN_TEXT)

        walk.step = "the teacher gives an extra adaptation"
        walk.follow(page, who, "Sätt in extra anpassning", button=True)
        walk.see(page, who, "Anpassningen blir svaret på oron")
        check(page, "Matematik")
        check(page, "Struktur och planering")
        fill(page, "Elevens behov", NEED_TEXT)
        fill(page, "Vad som görs", MEASURE_TEXT)
        fill(page, "Ämne", "Matematik")
        walk.submit(page, who, "Spara anpassningen")
        walk.see(page, who, "Den extra anpassningen är sparad.", MEASURE_TEXT)
        adaptation_url = page.url

        walk.support_page(page, who)
        walk.level(page, who, "Extra anpassningar")
        events = walk.grew(page, who, events)
        walk.tasks(page, who, "Utvärdera extra anpassning")

        walk.step = "the teacher evaluates: not sufficient, refer to the rektor"
        walk.visit(page, who, adaptation_url)
        check(page, "Inte tillräcklig")
        fill(page, "Elevens egen syn", "Jag hinner fortfarande inte klart.")
        fill(page, "Kommentar", "Checklistan räcker inte; eleven fastnar ändå.")
        check(page, "Anmäl till rektor")
        walk.submit(page, who, "Spara utvärderingen")
        walk.see(page, who, "Utvärderingen är sparad.", "Anmälan till rektor för")
        walk.audit.check(
            page.get_by_label(label("Risk trots extra anpassningar")).is_checked(),
            who,
            page.url,
            "the report after the evaluation should start from the ground 'despite adaptations'",
        )

    # -------------------------------------------------------------- mentor: the report
    with walk.signed_in("mentor_a") as page, walk.doing("the mentor reports to the rektor"):
        who = "mentor_a"
        walk.support_page(page, who)
        walk.follow(page, who, "Anmäl till rektor", button=True)
        check(page, "Risk trots extra anpassningar")
        fill(page, "Beskriv svårigheterna", REFERRAL_TEXT)
        fill(page, "Relevanta resultat", "Diagnos i taluppfattning: 9 av 30.")
        walk.submit(page, who, "Skicka anmälan till rektor", "(refused)", expect=409)
        walk.refused(
            page, who, "Ange vilka extra anpassningar som har prövats", "3 kap. 7 § första stycket"
        )
        walk.audit.check(
            page.get_by_label(label("Beskriv svårigheterna")).input_value() == REFERRAL_TEXT,
            who,
            page.url,
            "the refused report lost what was typed",
        )
        page.locator('input[name="adaptations"]').first.check()
        check(page, "Vårdnadshavarna är informerade om anmälan")
        check(page, "Eleven är informerad om anmälan")
        walk.submit(page, who, "Skicka anmälan till rektor")
        walk.see(
            page,
            who,
            "Anmälan till rektor är skickad.",
            "Anmäld, väntar på rektors kvittens",
            "Risk trots extra anpassningar",
            MEASURE_TEXT,
            "Inte tillräcklig",
        )

    # -------------------------------------------------------------- rektor: receipt, investigation
    with walk.signed_in("principal_a") as page, walk.doing("the rektor receives the report"):
        who = "principal_a"
        walk.tasks(page, who, "Kvittera anmälan")
        walk.follow(page, who, "Kvittera anmälan")
        walk.submit(page, who, "Kvittera anmälan")
        walk.see(page, who, "Anmälan är kvitterad.", "Mottagen, utredning ska inledas")
        walk.tasks(page, who, "Inled utredning")

        walk.step = "the rektor opens the investigation naming the specialpedagog"
        walk.follow(page, who, "Inled utredning")
        walk.submit(page, who, "Inled utredningen", "(refused)", expect=409)
        walk.refused(page, who, "Utse minst en person som ska utreda.", "3 kap. 7 § skollagen")
        page.get_by_label(specialist, exact=True).check()
        walk.submit(page, who, "Inled utredningen")
        walk.see(page, who, "Utredningen är inledd.", "Pedagogisk utredning", specialist)

    # -------------------------------------------------------------- specialpedagog: investigation
    with walk.signed_in("special_educator_a") as page, walk.doing("the specialpedagog writes"):
        who = "special_educator_a"
        walk.tasks(page, who, "Slutför utredning")
        walk.follow(page, who, "Slutför utredning")
        walk.follow(page, who, "Skriv i utredningen", button=True)
        fill(page, "Individnivå", "Eleven förstår men tappar fokus när uppgiften är lång.")
        fill(page, "Gruppnivå", "Gruppen är stor och arbetar mycket självständigt.")
        fill(page, "Skolnivå", "Speciallärare finns på skolan två dagar i veckan.")
        fill(page, "Resultat per ämne", "Matematik: under förväntad nivå. Svenska: godtagbart.")
        fill(page, "Elevens syn", "Jag vill ha hjälp att komma igång.")
        fill(page, "Vårdnadshavarnas syn", "Vi ser att läxorna tar mycket lång tid.")
        fill(page, "Analys av orsakerna till svårigheterna", "Långa instruktioner är hindret.")
        check(page, "Ja, eleven är i behov av särskilt stöd")
        page.get_by_label(label("Behovsområde 1")).select_option(label="Matematik")
        fill(page, "Behov 1", NEED_TEXT)
        fill(page, "Förslag på åtgärder", "Stöd av speciallärare i den egna gruppen.")
        walk.submit(page, who, "Spara och slutför bedömningen", "(refused)", expect=409)
        walk.refused(page, who, "Samråd med elevhälsan ska ske", "3 kap. 7 § andra stycket")
        walk.audit.check(
            page.get_by_label(label("Behov 1")).input_value() == NEED_TEXT,
            who,
            page.url,
            "the refused conclusion lost the need that was typed",
        )
        check(page, "Samråd med elevhälsan har skett")
        fill(page, "Elevhälsans bidrag", "Elevhälsoteamet har gått igenom utredningen.")
        walk.submit(page, who, "Spara och slutför bedömningen")
        walk.see(
            page,
            who,
            "Den pedagogiska bedömningen är klar.",
            "Ett utkast till åtgärdsprogram är skapat",
            "Ja, eleven är i behov av särskilt stöd.",
        )

        walk.step = "the specialpedagog drafts the programme"
        walk.follow(page, who, "Utkast till åtgärdsprogram", button=True)
        walk.see(page, who, "Utkast", NEED_TEXT)
        walk.follow(page, who, "Redigera utkastet")
        page.get_by_label(label("Hör till behov")).select_option(index=1)
        fill(page, "Åtgärd", PROGRAMME_MEASURE)
        choose(page, "Ansvarig", teacher)
        fill(page, "Omfattning", "2 × 40 minuter i veckan")
        fill(page, "Uppföljning", (today + timedelta(days=28)).isoformat())
        choose(page, "Ansvarig för uppföljning", teacher)
        fill(page, "Utvärdering", (today + timedelta(days=56)).isoformat())
        choose(page, "Ansvarig för utvärdering", teacher)
        check(page, "Eleven har erbjudits att delta")
        check(page, "Vårdnadshavarna har erbjudits att delta")
        fill(page, "Elevens synpunkter", "Eleven vill ha stödet på förmiddagen.")
        walk.submit(page, who, "Spara utkastet")
        walk.see(page, who, "Utkastet är sparat.")
        walk.audit.check(
            page.get_by_label(label("Åtgärd")).first.input_value() == PROGRAMME_MEASURE,
            who,
            page.url,
            "the saved draft does not show its measure",
        )

    # -------------------------------------------------------------- rektor: decision, service
    with walk.signed_in("principal_a") as page, walk.doing("the rektor decides the programme"):
        who = "principal_a"
        walk.tasks(page, who, "Fatta beslut")
        walk.follow(page, who, "Fatta beslut")
        walk.follow(page, who, "Till beslut", button=True)
        check(page, "Ett åtgärdsprogram ska utarbetas")
        walk.submit(page, who, "Fatta beslut")  # the draft exists: on to its editor
        walk.follow(page, who, "Till beslut om programmet")
        walk.see(page, who, PROGRAMME_MEASURE, teacher, "Hur man överklagar")
        walk.submit(page, who, "Besluta om åtgärdsprogrammet", "(refused)")
        walk.refused(page, who, "ska innehålla en motivering", "32 § förvaltningslagen")
        fill(page, "Motivering", "Utredningen visar behov av särskilt stöd i matematik.")
        walk.submit(page, who, "Besluta om åtgärdsprogrammet")
        walk.see(page, who, "Åtgärdsprogrammet är beslutat", "Beslut om åtgärdsprogram")
        decision_url = page.url

        walk.step = "the rektor records the pupil's service"
        walk.tasks(page, who, "Delge beslut")
        walk.follow(page, who, "Delge beslut")
        walk.serve(page, who, pupil.full_name, "Överlämnat personligen", today, today)
        # The pupil is 13: her receipt starts no appeal time; the guardians' does (SL 29 kap.
        # 12 §, decision 0013), three weeks from the day they confirm (below: today).
        deadline = wf.appeal_deadline(today, days_off_around(today)).isoformat()
        row = page.locator("tr").filter(has_text=pupil.full_name).inner_text()
        walk.audit.check(
            "räknas från vårdnadshavarnas delgivning" in row,
            who,
            page.url,
            f"the pupil's row should say the time runs from the guardians' receipt: {row!r}",
        )

        walk.support_page(page, who)
        walk.level(page, who, "Särskilt stöd")
        walk.see(page, who, "Åtgärdsprogram version 1 gäller sedan")
        events = walk.grew(page, who, events)

    # -------------------------------------------------------------- guardian: receipt and view
    with walk.signed_in("guardian_x") as page, walk.doing("the guardian reads the programme"):
        who = "guardian_x"
        walk.support_page(page, who)
        walk.level(page, who, "Särskilt stöd")
        walk.see(page, who, "Eleven får särskilt stöd enligt ett åtgärdsprogram")
        walk.not_see(page, who, "Hela kedjan", "Anmälan och utredning")
        walk.follow(page, who, "Visa åtgärdsprogrammet")
        walk.see(
            page,
            who,
            "Ett åtgärdsprogram beskriver vilket stöd skolan ger",
            "Vad eleven behöver och vad skolan gör",
            PROGRAMME_MEASURE,
            teacher,
        )
        walk.follow(page, who, f"Beslutat {today.isoformat()}")
        walk.see(page, who, "Hur man överklagar", "Skolväsendets överklagandenämnd")

        walk.step = "the guardian confirms receipt"
        walk.submit(page, who, "Jag har tagit del av beslutet")
        walk.see(
            page,
            who,
            "Tack! Du har bekräftat att du har tagit del av beslutet.",
            f"Du tog del av beslutet {today.isoformat()}",
            f"senast {deadline}",
        )

        walk.step = "the guardian adds their view"
        walk.follow(page, who, "Version 1")
        walk.submit(page, who, "Spara synpunkten", "(empty view)")
        fill(page, "Din synpunkt", GUARDIAN_VIEW)
        walk.submit(page, who, "Spara synpunkten")
        walk.see(page, who, "Tack! Din synpunkt är sparad i programmet.", GUARDIAN_VIEW)
        walk.audit.check(
            page.get_by_role("link", name="Redigera utkastet").count() == 0
            and page.get_by_role("link", name="Avsluta programmet").count() == 0,
            who,
            page.url,
            "the family is offered staff actions on the programme",
        )

    # -------------------------------------------------------------- teacher: evaluation
    with walk.signed_in("teacher_a") as page, walk.doing("the teacher evaluates the measure"):
        who = "teacher_a"
        walk.tasks(page, who, "Följ upp åtgärdsprogram", "Utvärdera åtgärdsprogram")
        walk.follow(page, who, "Utvärdera åtgärdsprogram")
        walk.see(page, who, PROGRAMME_MEASURE)
        # A teacher who is only a teacher sees the teaching part, never the family's views
        # (process.md §4).
        walk.not_see(page, who, GUARDIAN_VIEW)
        walk.follow(page, who, "Följ upp eller utvärdera")
        check(page, "Utvärdering")
        walk.submit(page, who, "Spara uppföljningen", "(form errors)")
        walk.see(page, who, "Uppföljningen är inte sparad.")
        check(page, "Ja")
        choose(page, "Effekt på behovet", "Behovet är tillgodosett")
        fill(page, "Kommentar", "Eleven kommer igång själv med checklistan.")
        fill(page, "Elevens syn", "Nu klarar jag det.")
        fill(page, "Sammanfattning", "Behovet är tillgodosett; stödet kan avslutas.")
        check(page, "Avsluta programmet (beslut)")
        walk.submit(page, who, "Spara uppföljningen")
        walk.see(
            page,
            who,
            "Utvärderingen är sparad.",  # an evaluation, so it says so (issue 13)
            "Avsluta programmet (beslut)",
            "Behovet är tillgodosett",
        )

    # -------------------------------------------------------------- rektor: closing decision
    # The guardian has stated a view on the programme, so closing it may go against the family:
    # they have had the material and answered first (FL 25 §; its pages: tests/test_partsinsyn).
    communicated(world, programme=ActionProgramme.objects.get(pupil=pupil, state="in_force"))
    with walk.signed_in("principal_a") as page, walk.doing("the rektor closes the programme"):
        who = "principal_a"
        walk.visit(page, who, decision_url)
        walk.see(page, who, "Bekräftat i Elevstöd")  # the guardian's receipt
        walk.follow(page, who, "Version 1")
        walk.see(page, who, GUARDIAN_VIEW, "Synpunkt från")
        walk.follow(page, who, "Utvärdering")
        walk.see(page, who, "Nästa steg: beslut att avsluta", "Nu klarar jag det.")
        walk.follow(page, who, "Fatta beslut att avsluta programmet")
        walk.see(page, who, "Senaste utvärdering", "Behovet är tillgodosett; stödet kan avslutas.")
        walk.see(page, who, "Kommunicering (25 § förvaltningslagen)", "svar kom in")
        fill(page, "Motivering", "Utvärderingen visar att behovet är tillgodosett.")
        walk.submit(page, who, "Besluta att avsluta programmet")
        walk.see(
            page,
            who,
            "Programmet är avslutat genom beslut.",
            "Beslut att avsluta åtgärdsprogram",
            "Hur man överklagar",
            "Skolväsendets överklagandenämnd",
            "inom tre veckor",
        )
        walk.support_page(page, who)
        walk.not_see(page, who, "Åtgärdsprogram version 1 gäller sedan")
        walk.see(page, who, "Hela kedjan")
        walk.audit.check(
            walk.timeline(page) >= 10, who, page.url, "the timeline should show the whole chain"
        )

    programme = ActionProgramme.objects.get(pupil=pupil)
    assert programme.state == wf.ProgrammeState.CLOSED
    assert Decision.objects.filter(pupil=pupil).count() == 2
    assert FollowUp.objects.filter(programme=programme, kind=wf.FollowUpKind.EVALUATION).exists()
    assert Concern.objects.filter(pupil=pupil).count() == 1
    assert Adaptation.objects.filter(pupil=pupil).count() == 1
    assert Referral.objects.get(pupil=pupil).state == wf.CaseState.CLOSED
    assert walk.audit.axe_runs >= 40, f"axe ran only {walk.audit.axe_runs} times"
    walk.audit.assert_clean()


# ============================================================================ test 2


def test_no_programme_decision_appealed_and_forwarded(chromium: Browser, site: str) -> None:
    world = build_world()
    _readable_names(world)
    walk = Walk(chromium, site, world)
    pupil = world.pupils["x"]
    today = timezone.localdate()
    investigation = investigation_for(world, "x", needed=False)
    assert (
        services.investigation_conclude(
            actor=world.users["special_educator_a"], investigation=investigation, today=today
        )
        is None
    )
    # A decision against the family's wish for a programme: the family has had the material
    # and answered first (FL 25 §). The pupil is 17 and appeals alone (SL 29 kap. 12 §; the
    # younger pupil's case is tested in elevstod/support/tests/test_edges_decisions.py).
    communicated(world, investigation=investigation)
    Pupil.objects.filter(pk=pupil.pk).update(birth_date=date(today.year - 17, 1, 1))

    with walk.signed_in("principal_a") as page, walk.doing("the rektor decides no programme"):
        who = "principal_a"
        walk.tasks(page, who, "Fatta beslut")
        walk.follow(page, who, "Fatta beslut")
        walk.see(page, who, "Nej, eleven är inte i behov av särskilt stöd.")
        walk.follow(page, who, "Till beslut", button=True)
        walk.submit(page, who, "Fatta beslut", "(no choice made)")
        walk.see(page, who, "Välj om ett åtgärdsprogram ska utarbetas eller inte.")
        check(page, "Ett åtgärdsprogram ska utarbetas")
        walk.submit(page, who, "Fatta beslut", "(refused: no need found)")
        walk.refused(page, who, "Utredningen visar inget behov av särskilt stöd", "3 kap. 9 §")
        check(page, "Ett åtgärdsprogram ska inte utarbetas")
        walk.submit(page, who, "Fatta beslut", "(refused: no reasons)")
        walk.refused(page, who, "ska innehålla en motivering", "32 § förvaltningslagen")
        fill(page, "Motivering", "Utredningen visar att extra anpassningar räcker.")
        fill(page, "Vad som görs i stället", "Fortsatta extra anpassningar i matematik.")
        walk.submit(page, who, "Fatta beslut")
        walk.see(
            page,
            who,
            "Beslutet är fattat och ska nu delges.",
            "Beslut att inte utarbeta åtgärdsprogram",
            "Fortsatta extra anpassningar i matematik.",
            "Hur man överklagar",
        )
        decision_url = page.url

        walk.step = "the rektor records the pupil's service"
        pupil_received = today  # not before the decision, made today (FL 44 §)
        sent = today
        walk.serve(page, who, pupil.full_name, "Brev", sent, pupil_received)

    decision = Decision.objects.get(pupil=pupil)
    guardian_name = decision.services.get(recipient_kind="guardian").recipient_name

    with walk.signed_in("guardian_x") as page, walk.doing("the guardian confirms receipt"):
        who = "guardian_x"
        walk.visit(page, who, decision_url)
        walk.see(page, who, "Beslut att inte utarbeta åtgärdsprogram", "Hur man överklagar")
        walk.submit(page, who, "Jag har tagit del av beslutet")
        walk.see(page, who, f"Du tog del av beslutet {today.isoformat()}")

    deadlines = {
        pupil.full_name: wf.appeal_deadline(pupil_received, days_off_around(pupil_received)),
        guardian_name: wf.appeal_deadline(today, days_off_around(today)),
    }

    with walk.signed_in("principal_a") as page, walk.doing("the rektor registers the appeal"):
        who = "principal_a"
        walk.visit(page, who, decision_url)
        for name, last_day in deadlines.items():
            row = page.locator("tbody tr").filter(has_text=name)
            walk.audit.check(
                last_day.isoformat() in row.inner_text(),
                who,
                page.url,
                f"the appeal deadline for {name} should be {last_day}",
            )
        walk.follow(page, who, "Registrera ett överklagande")
        listed = page.locator("#deadlines + ul").inner_text()
        for name, last_day in deadlines.items():
            walk.audit.check(
                f"{name}: {last_day.isoformat()}" in listed,
                who,
                page.url,
                f"'Sista dag per mottagare' should say {name}: {last_day}, it says {listed!r}",
            )
        walk.submit(page, who, "Registrera", "(form errors)")
        choose(page, "Vem överklagar", guardian_name)
        fill(page, "Kom in till skolan", today.isoformat())
        fill(page, "Vad som överklagas och varför", "Vi vill att ett åtgärdsprogram utarbetas.")
        walk.submit(page, who, "Registrera")
        walk.see(
            page,
            who,
            "Överklagandet är registrerat.",
            guardian_name,
            "Registrerat, ska omprövas",
            deadlines[guardian_name].isoformat(),
        )
        walk.audit.check(
            page.locator("dt:text-is('I rätt tid') + dd").inner_text().strip() == "Ja",
            who,
            page.url,
            "the appeal came in on time but is not shown as timely",
        )
        appeal_url = page.url
        walk.tasks(page, who, "Handlägg överklagande")

        walk.step = "the rektor forwards the appeal to the board"
        walk.visit(page, who, appeal_url)
        page.get_by_label(starting("Avvisa: överklagandet kom in för sent")).check()
        walk.submit(page, who, "Spara", "(refused: the appeal is timely)")
        walk.refused(page, who, "kom in i tid och ska prövas", "45 § förvaltningslagen")
        page.get_by_label(starting("Överlämna till Skolväsendets överklagandenämnd")).check()
        fill(page, "Anteckning", "Beslutet ändras inte vid omprövning.")
        walk.submit(page, who, "Spara")
        walk.see(
            page,
            who,
            "Handläggningen är registrerad.",
            "Överlämnat till Skolväsendets överklagandenämnd",
            today.isoformat(),
        )

    with walk.signed_in("guardian_x") as page, walk.doing("the guardian sees the appeal"):
        who = "guardian_x"
        walk.visit(page, who, decision_url)
        walk.see(page, who, "Överlämnat till Skolväsendets överklagandenämnd")
        walk.follow(page, who, f"{guardian_name}, kom in {today.isoformat()}")
        walk.audit.check(
            page.get_by_role("button", name="Spara").count() == 0,
            who,
            page.url,
            "the guardian is offered the school's handling of the appeal",
        )

    appeal = Appeal.objects.get(decision=decision)
    assert appeal.state == wf.AppealState.FORWARDED
    assert appeal.forwarded_on == today
    assert decision.kind == wf.DecisionKind.NO_ACTION_PROGRAMME
    assert Referral.objects.get(pupil=pupil).state == wf.CaseState.NO_PROGRAMME
    assert walk.audit.axe_runs >= 18, f"axe ran only {walk.audit.axe_runs} times"
    walk.audit.assert_clean()


# ============================================================================ no JavaScript


def test_raising_a_concern_works_without_javascript(chromium: Browser, site: str) -> None:
    world = build_world()
    walk = Walk(chromium, site, world)
    pupil = world.pupils["x"]
    with (
        walk.signed_in("teacher_a", javascript=False) as page,
        walk.doing("a concern without JavaScript"),
    ):
        who = "teacher_a, no JavaScript"
        walk.support_page(page, who)
        walk.follow(page, who, "Anmäl oro", button=True)
        walk.submit(page, who, "Spara oron", "(form errors)")
        errors = page.locator(".errorlist")
        walk.audit.check(errors.count() > 0, who, page.url, "the empty form shows no field error")
        check(page, "Frånvaro")
        fill(page, "Beskriv oron", CONCERN_TEXT)
        walk.submit(page, who, "Spara oron")
        walk.see(page, who, "Oron är registrerad.", CONCERN_TEXT, "Frånvaro")
        heading = page.locator("main h1")
        walk.audit.check(
            heading.count() == 1 and heading.inner_text().startswith("Oro anmäld"),
            who,
            page.url,
            "the concern page after the post has no single heading",
        )
    concern = Concern.objects.get(pupil=pupil)
    assert concern.description == CONCERN_TEXT
    assert concern.source == wf.ConcernSource.ABSENCE
    walk.audit.assert_clean()


# ============================================================================ autosave


def test_the_investigation_editor_keeps_typed_text(chromium: Browser, site: str) -> None:
    """Autosave keeps what is typed across a reload, and a save on top of someone else's
    shows both texts side by side with the typed text still in the form (decision 0006)."""
    world = build_world()
    walk = Walk(chromium, site, world)
    investigation = investigation_for(world, "x", needed=True)
    edit_url = f"/stod/utredningar/{investigation.pk}/redigera/"
    cause = label("Analys av orsakerna till svårigheterna")
    with walk.signed_in("special_educator_a") as page, walk.doing("autosave in the editor"):
        who = "special_educator_a"
        walk.visit(page, who, edit_url)
        status = page.locator("[data-autosave-status]")
        page.get_by_label(cause).fill(AUTOSAVE_TEXT)
        try:
            status.filter(has_text="Utkastet sparades automatiskt kl.").wait_for(timeout=10_000)
        except PlaywrightError:
            walk.audit.add(who, page.url, f"no autosave status; it says {status.inner_text()!r}")
        walk.audit.axe(page, who, "(autosaved)")
        investigation.refresh_from_db()
        assert investigation.cause_analysis == "", "autosave must never change the document"
        assert Draft.objects.filter(record_id=investigation.pk).count() == 1

        walk.step = "the editor is reloaded"
        response = page.reload()
        walk.landed(page, who, response.status if response else 0, "(draft restored)")
        walk.see(page, who, "Ditt osparade utkast från")
        kept = page.get_by_label(cause).input_value()
        walk.audit.check(
            kept == AUTOSAVE_TEXT, who, page.url, f"the typed text was not offered back: {kept!r}"
        )

        walk.step = "the rektor saves first: the conflict view"
        services.investigation_save(
            actor=world.users["principal_a"],
            investigation=investigation,
            expected_version=investigation.version,
            values={"cause_analysis": RECTOR_TEXT},
            needs=[(wf.NeedCategory.READING_WRITING, "Stöd i läsförståelse")],
            today=timezone.localdate(),
        )
        walk.submit(page, who, "Spara", "(conflict)", expect=409)
        walk.see(page, who, "Någon annan har sparat under tiden", "Sparad version", "Din text")
        conflict = page.locator(".conflict")
        shown = conflict.inner_text() if conflict.count() == 1 else ""
        walk.audit.check(
            RECTOR_TEXT in shown and AUTOSAVE_TEXT in shown,
            who,
            page.url,
            f"the conflict should show both texts side by side, it shows {shown!r}",
        )
        walk.audit.check(
            page.get_by_label(cause).input_value() == AUTOSAVE_TEXT,
            who,
            page.url,
            "the conflict lost the typed text from the form",
        )

        walk.step = "the specialpedagog saves again after reading both"
        walk.submit(page, who, "Spara")
        walk.see(page, who, "Utredningen är sparad.", AUTOSAVE_TEXT)

        walk.step = "the editor opened again after the save offers no browser copy"
        walk.visit(page, who, edit_url)
        walk.audit.check(
            page.get_by_text("Det finns osparad text i den här webbläsaren").count() == 0,
            who,
            page.url,
            "after a successful save the browser's copy was offered back",
        )
        walk.audit.check(
            page.get_by_text("Ditt osparade utkast från").count() == 0,
            who,
            page.url,
            "after a successful save the server's draft was offered back",
        )
    investigation.refresh_from_db()
    assert investigation.cause_analysis == AUTOSAVE_TEXT
    walk.audit.assert_clean()
