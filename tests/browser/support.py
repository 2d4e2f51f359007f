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
# axe is served from a same-origin URL through page.route, so the site's CSP (script-src 'self')
# stays in force while the page is audited: what is checked is what a user gets.
AXE_URL_PATH = "/__axe__/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_RUN = """
async (tags) => {
  const options = {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]};
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
    badge: Boolean(a.closest("tr, li") && a.closest("tr, li").querySelector(".badge")),
  }));
}
"""
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
CRAWL_SKIP_PREFIXES = (
    "/accounts/logout/",
    "/admin/",
    "/api/",
    "/static/",
    "/i18n/",
    "/healthz",
    "/__axe__/",
)
CRAWL_SKIP_SUFFIXES = ("pdf", ".pdf", ".csv")  # downloads, not pages
MAX_PAGES_PER_ROLE = 64  # the quality system (issue 4) added some twenty kinds of page
MAX_PAGES_PER_PATTERN = 2
BADGE_KIND = " (badge)"
PASSWORD = "demo"
Scheme = Literal["light", "dark"]


def pattern(path: str) -> str:
    """The route a path belongs to: /elever/<uuid>/ for every pupil page."""
    return UUID.sub("<uuid>", urlsplit(path).path)


def open_context(
    browser: Browser, base_url: str, *, javascript: bool = True, colour_scheme: Scheme = "light"
) -> BrowserContext:
    context = browser.new_context(
        base_url=base_url,
        locale="sv-SE",
        java_script_enabled=javascript,
        color_scheme=colour_scheme,
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(15_000)
    context.route(
        f"**{AXE_URL_PATH}",
        lambda route: route.fulfill(path=AXE_PATH, content_type="text/javascript"),
    )
    return context


@dataclass
class Audit:
    """Problems found while driving the browser, one readable line each."""

    demo_mode: bool = True
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

    def visit(self, page: Page, url: str, who: str, *, status: int | None = None) -> int:
        """Load a page, check its status and the demo banner, and run axe on it."""
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
        self.axe(page, who)
        return code

    def check_banner(self, page: Page, who: str) -> None:
        banner = page.locator(".demo-banner")
        shown = banner.count() == 1 and banner.is_visible() and "Demoläge" in banner.inner_text()
        if shown != self.demo_mode:
            state = "missing" if self.demo_mode else "shown outside demo mode"
            self.add(who, page.url, f"the Demoläge banner is {state}")

    def axe(self, page: Page, who: str, state: str = "") -> None:
        """Run axe-core on the page as it is now; state names a non-default state."""
        where = f"{_path(page.url)} {state}".strip()
        try:
            if not page.evaluate("() => typeof window.axe === 'object'"):
                page.add_script_tag(url=AXE_URL_PATH)
            violations = page.evaluate(AXE_RUN, AXE_TAGS)
        except PlaywrightError as error:
            self.problems.append(f"[{who}] {where}: axe did not run: {error.message[:300]}")
            return
        self.axe_runs += 1
        for v in violations:
            self.problems.append(
                f"[{who}] {where}: axe {v['id']} ({v['impact']}, {v['count']} node(s)): "
                f"{v['help']}\n      targets: {' | '.join(v['targets'])}"
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


def crawl(page: Page, audit: Audit, who: str, base_url: str, *, start: str = "/") -> Crawl:
    """Visit, breadth-first, the same-origin pages reachable by links from the start page.

    Main-menu links are queued before the others. Paths differing only in their query string
    count once, and at most MAX_PAGES_PER_PATTERN pages of one kind (two pupil pages, say) are
    visited, so the budget covers every kind of page rather than every pupil. A link in a row
    or item with a badge (a pupil with protected identity) is a kind of its own: such pages
    render differently.
    """
    origin = urlsplit(base_url)[:2]
    queue: deque[tuple[str, str]] = deque([(start, pattern(start))])
    seen = {urlsplit(start).path}
    per_kind: Counter[str] = Counter({pattern(start): 1})
    result = Crawl()
    while queue and len(result.paths) < MAX_PAGES_PER_ROLE:
        url, kind = queue.popleft()
        audit.visit(page, url, who)
        result.paths.append(_path(page.url))
        result.first_of_kind.setdefault(kind, _path(page.url))
        for link in page.evaluate(LINKS):
            parts = urlsplit(link["href"])
            if parts[:2] != origin or parts.path.startswith(CRAWL_SKIP_PREFIXES):
                continue
            if parts.path.rstrip("/").endswith(CRAWL_SKIP_SUFFIXES):
                continue  # a download (PDF), not a page axe can audit
            kind = pattern(parts.path) + (BADGE_KIND if link["badge"] else "")
            if parts.path in seen or per_kind[kind] >= MAX_PAGES_PER_PATTERN:
                continue
            seen.add(parts.path)
            per_kind[kind] += 1
            queue.append((parts.path + (f"?{parts.query}" if parts.query else ""), kind))
    return result
