"""Driving the browser: signing in, crawling a role's pages and auditing each with axe-core.

Everything found wrong is collected in an Audit and asserted at the end of a test, so one run
lists every violation on every page instead of stopping at the first.
"""

import re
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Response
from playwright.sync_api import Error as PlaywrightError

AXE_PATH = Path(__file__).resolve().parent / "vendor" / "axe-4.14.1.min.js"
# axe is given to every document as a Playwright init script, which the browser runs beside the
# page without a <script> in it: the site's CSP (script-src 'self') stays in force while the
# page is audited, so what is checked is what a user gets. Compiled at document start, it costs
# less than a script tag added to each page afterwards (decision 0010).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_RUN = """
async ([tags, colourOnly]) => {
  const colourRules = axe.getRules(["cat.color"])
    .filter((rule) => rule.tags.some((tag) => tags.includes(tag)))
    .map((rule) => rule.ruleId);
  const runOnly = colourOnly ? {type: "rule", values: colourRules} : {type: "tag", values: tags};
  const options = {runOnly, resultTypes: ["violations"]};
  const result = await axe.run(document, options);
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    count: v.nodes.length,
    targets: v.nodes.slice(0, 4).map((n) => n.target.join(" ")),
    html: v.nodes.length ? v.nodes[0].html.slice(0, 160) : "",
    summary: v.nodes.length ? v.nodes[0].failureSummary.replace(/\\s+/g, " ").slice(0, 240) : "",
  }));
}
"""
LINKS = """
() => {
  const nav = [...document.querySelectorAll("nav[aria-label] a[href]")];
  const all = [...document.querySelectorAll("a[href]")];
  return [...nav, ...all].map((a) => ({
    href: a.href,
    badge: Boolean(a.closest("tr, li") && a.closest("tr, li").querySelector(".badge-protected")),
  }));
}
"""
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
NUMBER = re.compile(r"/\d+/")
CRAWL_SKIP_PREFIXES = (
    "/accounts/logout/",
    "/admin/",
    "/api/",
    "/static/",
    "/i18n/",
    "/healthz",
)
CRAWL_SKIP_SUFFIXES = ("pdf", ".pdf", ".csv")  # downloads, not pages
# Kinds of page (URL patterns) audited per role at most: a bound on time, well above the 55
# kinds the principal reaches today, so that the crawl ends because it has seen everything.
MAX_KINDS_PER_ROLE = 96
MAX_PAGES_PER_KIND = 4  # the first is audited, the others read for their links (decision 0010)
BADGE_KIND = " (badge)"
PASSWORD = "demo"
Scheme = Literal["light", "dark"]


def pattern(path: str) -> str:
    """The route a path belongs to: /elever/<uuid>/ for every pupil page, and
    /rutiner/<uuid>/versioner/<int>/ for every version of every routine."""
    return NUMBER.sub("/<int>/", UUID.sub("<uuid>", urlsplit(path).path))


def open_context(
    browser: Browser, base_url: str, *, javascript: bool = True, colour_scheme: Scheme = "light"
) -> BrowserContext:
    context = browser.new_context(
        base_url=base_url,
        locale="sv-SE",
        java_script_enabled=javascript,
        color_scheme=colour_scheme,
        # A change of colour scheme fades Pico's link colours; with reduced motion it does not,
        # so an audit right after the change judges the colours a reader ends up seeing.
        reduced_motion="reduce",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(15_000)
    context.add_init_script(path=AXE_PATH)
    return context


@dataclass
class Audit:
    """Problems found while driving the browser, one readable line each."""

    demo_mode: bool = True
    schemes: tuple[Scheme, ...] = ("light", "dark")
    problems: list[str] = field(default_factory=list)
    axe_runs: int = 0

    def watch(self, page: Page, who: str) -> None:
        """Record JavaScript errors (CSP refusals included) and failed sub-resources."""

        def on_console(message: ConsoleMessage) -> None:
            # A failed load is reported by on_response (sub-resources) or visit (the page).
            if message.type == "error" and not message.text.startswith("Failed to load resource"):
                self.add(who, page.url, f"console error: {message.text[:300]}")

        def on_response(response: Response) -> None:
            if response.status >= 400 and response.request.resource_type != "document":
                self.add(who, page.url, f"HTTP {response.status} for sub-resource {response.url}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.add(who, page.url, f"uncaught error: {error}"))
        page.on("response", on_response)

    def add(self, who: str, url: str, problem: str) -> None:
        self.problems.append(f"[{who}] {_path(url)}: {problem}")

    def visit(
        self, page: Page, url: str, who: str, *, status: int | None = None, axe: bool = True
    ) -> int:
        """Load a page, check its status and the demo banner, and run axe on it unless told
        not to (a kind of page already audited for the same role)."""
        try:
            response = page.goto(url)
        except PlaywrightError as error:
            self.add(who, url, f"could not load: {error.message.splitlines()[0]}")
            return 0
        code = response.status if response is not None else 0
        if status is None and not 0 < code < 400:
            self.add(who, url, f"HTTP {code}")
        elif status is not None and code != status:
            self.add(who, url, f"HTTP {code}, expected {status}")
        signed_out = _path(page.url).startswith("/accounts/login/")
        if status is None and signed_out and not _path(url).startswith("/accounts/login/"):
            self.add(who, url, "ended on the login page: the session was lost")
        self.check_banner(page, who)
        if axe:
            self.axe(page, who)
        return code

    def check_banner(self, page: Page, who: str) -> None:
        banner = page.locator(".demo-banner")
        shown = banner.count() == 1 and banner.is_visible() and "Demoläge" in banner.inner_text()
        if shown != self.demo_mode:
            state = "missing" if self.demo_mode else "shown outside demo mode"
            self.add(who, page.url, f"the Demoläge banner is {state}")

    def axe(self, page: Page, who: str, state: str = "") -> None:
        """Run axe-core on the page as it is now, once in each colour scheme of `schemes`;
        state names a non-default state.

        Pico follows the system's colour scheme through CSS media queries, so switching the
        emulated scheme re-styles the loaded page: both schemes are audited without loading
        the page twice. A second scheme changes only colours (Pico's dark theme is a set of
        colour variables; our CSS has no scheme of its own), so after every WCAG A/AA rule in
        the first scheme, the others run the colour rules (contrast, links told apart from
        text) that can judge them differently (decision 0010).
        """
        where = f"{_path(page.url)} {state}".strip()
        try:
            for index, scheme in enumerate(self.schemes):
                page.emulate_media(color_scheme=scheme)
                colour_only = index > 0  # the first scheme ran every rule on this state
                violations = page.evaluate(AXE_RUN, [AXE_TAGS, colour_only])
                self._record(who, where, scheme, violations)
        except PlaywrightError as error:
            self.problems.append(f"[{who}] {where}: axe did not run: {error.message[:300]}")
        finally:
            page.emulate_media(color_scheme=self.schemes[0])

    def _record(self, who: str, where: str, scheme: Scheme, violations: list[dict]) -> None:
        self.axe_runs += 1
        for v in violations:
            self.problems.append(
                f"[{who}] {where} ({scheme}): axe {v['id']} ({v['impact']}, "
                f"{v['count']} node(s)): {v['help']}\n      targets: {' | '.join(v['targets'])}"
                f"\n      first: {v['html']}\n      why: {v['summary']}"
            )

    def check(self, ok: bool, who: str, url: str, problem: str) -> bool:
        """Note `problem` unless `ok`, so a walk goes on and every problem is listed at the end."""
        if not ok:
            self.add(who, url, problem)
        return ok

    def report(self) -> str:
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        return f"{len(self.problems)} problem(s) found in the browser:\n{lines}"

    def assert_clean(self) -> None:
        if self.problems:
            pytest.fail(self.report(), pytrace=False)


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def submit(page: Page, button: str | re.Pattern[str]) -> int:
    """Click a submit button and wait for the page it leads to; returns the HTTP status."""
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=button, exact=True).click()
    response = navigation.value
    return response.status if response is not None else 0


def follow(
    page: Page, name: str | re.Pattern[str], *, role: Literal["link", "button"] = "link"
) -> int:
    """Follow a link (role="button" for an <a role="button">) and wait for the page it leads
    to; returns the HTTP status."""
    with page.expect_navigation() as navigation:
        page.get_by_role(role, name=name, exact=True).first.click()
    response = navigation.value
    return response.status if response is not None else 0


def label(text: str) -> re.Pattern[str]:
    """A form control's whole accessible name as Django renders its label ("Text:")."""
    return re.compile(rf"^\s*{re.escape(text)}:?\s*$")


def sign_in(page: Page, username: str, password: str = PASSWORD) -> int:
    """Sign in through the real form, as a person would."""
    page.goto("/accounts/login/")
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(password)
    return submit(page, "Logga in")


@dataclass
class Crawl:
    """The pages a crawl visited, and the first page of each kind (route, with or without a
    badge) for a second, shorter pass."""

    paths: list[str] = field(default_factory=list)
    first_of_kind: dict[str, str] = field(default_factory=dict)

    @property
    def routes(self) -> set[str]:
        return set(self.first_of_kind)


def crawl(
    page: Page,
    audit: Audit,
    who: str,
    base_url: str,
    *,
    start: str = "/",
    audited_elsewhere: frozenset[str] = frozenset(),
) -> Crawl:
    """Visit, breadth-first, the same-origin pages reachable by links from the start page, and
    audit one page of each kind.

    Main-menu links are queued before the others. Paths differing only in their query string
    count once. The first page of a kind (one pupil page, say) is audited; up to
    MAX_PAGES_PER_KIND in all are loaded, the others only for their links, since another pupil
    may lead to kinds the first does not (a programme with versions). So the time grows with
    the kinds of page, not with the pupils. A link in a row or item marked as a protected
    identity (`.badge-protected`) is a kind of its own: such pages render differently. Kinds in
    `audited_elsewhere` (audited for the same role by another test) are loaded and checked like
    the others, without axe.

    Which pages of a kind are loaded matters more than how many. The links of a page that shows
    a kind of link not shown before are queued at once. The links of a page that shows nothing
    new (the second pupil of the list, whose page is like the first) are held back, and fill
    the kinds still short of MAX_PAGES_PER_KIND, in the order found, only when the queue has
    run dry. So the extra pages of a kind follow the pages the crawl still learns from (a task
    in Mina uppgifter, the investigation behind it, its report and the adaptations tried)
    instead of the pupils who happen to sort first in the list.
    """
    origin = urlsplit(base_url)[:2]
    queue: deque[tuple[str, str]] = deque([(start, pattern(start))])
    held_back: deque[_Link] = deque()  # links of pages that showed nothing new, in order found
    seen = {urlsplit(start).path}
    shown = {pattern(start)}  # the kinds of link shown so far
    per_kind: Counter[str] = Counter({pattern(start): 1})
    result = Crawl()

    def enqueue(link: _Link) -> None:
        seen.add(link.path)
        per_kind[link.kind] += 1
        queue.append((link.url, link.kind))

    while len(result.first_of_kind) < MAX_KINDS_PER_ROLE:
        while not queue and held_back:
            link = held_back.popleft()
            if link.path not in seen and per_kind[link.kind] < MAX_PAGES_PER_KIND:
                enqueue(link)
        if not queue:
            break
        url, kind = queue.popleft()
        # A further page of a kind is checked like the first, but read only for its links.
        first = kind not in result.first_of_kind
        audit.visit(page, url, who, axe=first and kind not in audited_elsewhere)
        if first:
            result.first_of_kind[kind] = _path(page.url)
        result.paths.append(_path(page.url))
        links = _links(page, origin)
        shows_new = any(link.kind not in shown for link in links)
        shown.update(link.kind for link in links)
        for link in links:
            if link.path in seen or per_kind[link.kind] >= MAX_PAGES_PER_KIND:
                continue
            if shows_new:
                enqueue(link)
            else:
                held_back.append(link)
    return result


@dataclass(frozen=True)
class _Link:
    url: str  # path and query
    path: str
    kind: str


def _links(page: Page, origin: tuple[str, str]) -> list[_Link]:
    """The page's same-origin links to pages (not downloads), main-menu links first."""
    found = []
    for link in page.evaluate(LINKS):
        parts = urlsplit(link["href"])
        if parts[:2] != origin or parts.path.startswith(CRAWL_SKIP_PREFIXES):
            continue
        if parts.path.rstrip("/").endswith(CRAWL_SKIP_SUFFIXES):
            continue  # a download (PDF), not a page axe can audit
        url = parts.path + (f"?{parts.query}" if parts.query else "")
        kind = pattern(parts.path) + (BADGE_KIND if link["badge"] else "")
        found.append(_Link(url, parts.path, kind))
    return found
