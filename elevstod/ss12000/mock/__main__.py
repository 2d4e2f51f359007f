"""``python -m elevstod.ss12000.mock``: serve the built-in municipality until Ctrl+C."""

from __future__ import annotations

import argparse
import contextlib
import sys

from elevstod.ss12000.mock.fixture import small_dataset
from elevstod.ss12000.mock.server import MockProvider


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A mock SS 12000 provider (decision 0018).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8012)
    parser.add_argument("--base-path", default="/v2.0")
    parser.add_argument("--token", default="", help="bearer token to require (default: none)")
    parser.add_argument("--page-size", type=int, default=100, help="most rows on one page")
    options = parser.parse_args(argv)
    provider = MockProvider(
        small_dataset(),
        host=options.host,
        port=options.port,
        base_path=options.base_path,
        token=options.token,
        page_size=options.page_size,
        verbose=True,
        keep_responses=False,
    )
    sys.stdout.write(
        f"SS 12000 mock provider on http://{options.host}:{options.port}{options.base_path}"
        " (Ctrl+C stops it)\n"
    )
    sys.stdout.flush()
    with contextlib.suppress(KeyboardInterrupt):
        provider.serve_forever()


if __name__ == "__main__":
    main()
