"""The browser suite: Debian's chromium driven by Playwright against pytest-django's live server.

Without chromium the suite is skipped with a message, unless ELEVSTOD_REQUIRE_BROWSER=1 (CI),
where a missing browser fails. `playwright install` is never run: the browser is the system's.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

BROWSER_DIR = Path(__file__).resolve().parent
SKIP_MESSAGE = "chromium not installed: browser suite skipped"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> Path:
    return Path(os.environ.get("ELEVSTOD_CHROMIUM") or "/usr/bin/chromium")


def browser_required() -> bool:
    return os.environ.get("ELEVSTOD_REQUIRE_BROWSER") == "1"


def _in_browser_suite(item: pytest.Item) -> bool:
    return item.path.is_relative_to(BROWSER_DIR)


@pytest.hookimpl(tryfirst=True)  # before -m selects on the marker added here
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    missing = not chromium_path().exists()
    for item in items:
        if _in_browser_suite(item):
            item.add_marker(pytest.mark.browser)
        if item.get_closest_marker("browser") and missing and not browser_required():
            item.add_marker(pytest.mark.skip(reason=SKIP_MESSAGE))
    # The browser tests are the longest: started first, they run beside the short ones on the
    # other pytest-xdist workers instead of after them (decision 0010). pytest-xdist deals the
    # first quarter of the items round robin, so the chain walk goes first: dealt next to the
    # principal's crawl it would run on the same worker, the two longest tests one after the
    # other.
    items.sort(
        key=lambda item: (
            item.get_closest_marker("browser") is None,
            item.name != "test_the_whole_chain_across_roles",
        )
    )


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    skipped = terminalreporter.stats.get("skipped", [])
    if any(SKIP_MESSAGE in str(getattr(report, "longrepr", "")) for report in skipped):
        terminalreporter.write_line(f"NOTICE: {SKIP_MESSAGE} (no {chromium_path()})", yellow=True)


@pytest.fixture(scope="package")
def chromium() -> Iterator[object]:
    """One chromium for the whole browser suite, closed when the suite is done.

    Playwright's sync API keeps an asyncio loop running on this thread while it lives, which
    makes Django refuse ORM calls from it (SynchronousOnlyOperation). The tests here call the
    ORM only between browser steps, never concurrently, so DJANGO_ALLOW_ASYNC_UNSAFE is set
    for exactly the lifetime of Playwright: the rest of the test run keeps Django's check.
    """
    path = chromium_path()
    if not path.exists():
        pytest.fail(
            f"ELEVSTOD_REQUIRE_BROWSER=1 but chromium is not installed at {path}: "
            "install Debian's chromium (apt-get install chromium) or set ELEVSTOD_CHROMIUM.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        launched = playwright.chromium.launch(executable_path=str(path), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def site(chromium, live_server, transactional_db, settings) -> str:  # type: ignore[no-untyped-def]
    """The live server in demo mode, second factor off; no data. Returns the base URL."""
    settings.ELEVSTOD_DEMO_MODE = True
    settings.ELEVSTOD_REQUIRE_SECOND_FACTOR = False
    return live_server.url


@pytest.fixture
def demo_site(site: str) -> str:
    """The live server with the small demo municipality (seed 1) and its demo logins."""
    from elevstod.demo.generator import generate

    generate(tier="small", seed=1)
    return site
