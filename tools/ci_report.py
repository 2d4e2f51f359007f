"""The end of .ci/run: every step with its wall time, then the slowest tests of the suites.

    python3 tools/ci_report.py STEPS_TSV [JUNIT_XML ...]

STEPS_TSV holds one "name<TAB>seconds<TAB>status" line per step, written by .ci/run. Each JUnit
file is what pytest wrote with --junitxml (its name, without .xml, labels its tests). Only the
standard library, so the table is printed even when the install step failed.
"""

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

SLOWEST = 15


def _clock(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}:{rest:02d}"


def steps_table(path: Path) -> list[str]:
    rows = [line.split("\t") for line in path.read_text().splitlines() if line.strip()]
    width = max([len(row[0]) for row in rows] + [4])
    lines = [f"{'step':<{width}}  {'wall':>6}  status", f"{'-' * width}  {'-' * 6}  ------"]
    total = 0.0
    for name, seconds, status in rows:
        total += float(seconds)
        lines.append(f"{name:<{width}}  {_clock(float(seconds)):>6}  {status}")
    lines.append(f"{'total':<{width}}  {_clock(total):>6}")
    return lines


def slowest_tests(paths: list[Path]) -> list[str]:
    timings: list[tuple[float, str]] = []
    for path in paths:
        if not path.exists():
            continue
        for case in ET.parse(path).iter("testcase"):  # noqa: S314
            name = f"{case.get('classname', '')}::{case.get('name', '')}"
            timings.append((float(case.get("time") or 0), f"[{path.stem}] {name}"))
    timings.sort(reverse=True)
    return [f"{seconds:7.1f}s  {name}" for seconds, name in timings[:SLOWEST]]


def main(argv: list[str]) -> int:
    print("\n=== steps (wall time)")
    print("\n".join(steps_table(Path(argv[1]))))
    tests = slowest_tests([Path(arg) for arg in argv[2:]])
    if tests:
        print(f"\n=== slowest {SLOWEST} tests (setup + call + teardown, on a worker)")
        print("\n".join(tests))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
