"""A pytest plugin (named in the root conftest.py): with ELEVSTOD_REQUIRE_BROWSER=1, a run in which
no browser test ran fails, so that CI's PostgreSQL run can never lose the browser suite silently
(to a missing chromium, a -m or -k that deselects it, or a collection error).

It counts reports on the process that reports (the pytest-xdist controller, or the only process).
"""

import os

import pytest

_browser_tests_run = 0


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    global _browser_tests_run
    if report.when == "call" and "browser" in report.keywords:
        _browser_tests_run += 1


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    required = os.environ.get("ELEVSTOD_REQUIRE_BROWSER") == "1"
    if not required or hasattr(session.config, "workerinput") or _browser_tests_run:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_sep(
            "=", "ELEVSTOD_REQUIRE_BROWSER=1 but no browser test ran", red=True, bold=True
        )
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
