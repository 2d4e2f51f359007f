"""The mock provider on a free port of 127.0.0.1, in a thread, and a client pointed at it.

When a test ends, every response the mock gave it is validated against the official document
(``conformance.assert_conforms``): each client test is a conformance test too.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from elevstod.ss12000.client import ClientConfig, SS12000Client
from elevstod.ss12000.mock.fixture import small_dataset
from elevstod.ss12000.mock.server import MockProvider
from elevstod.ss12000.tests.conformance import assert_conforms

TOKEN = "test-bearer-token"


@pytest.fixture
def provider() -> Iterator[MockProvider]:
    mock = MockProvider(small_dataset(), token=TOKEN, page_size=100, delay_seconds=1.0).start()
    try:
        yield mock
    finally:
        mock.stop()
    assert_conforms(mock.responses)


@pytest.fixture
def sleeps() -> list[float]:
    """The back-off waits the client asked for (it does not really wait in tests)."""
    return []


def _client(provider: MockProvider, sleeps: list[float], timeout: float) -> SS12000Client:
    config = ClientConfig(
        base_url=provider.url,
        token=TOKEN,
        timeout_seconds=timeout,
        max_attempts=3,
        backoff_seconds=0.5,
        page_size=4,
    )
    return SS12000Client(config, sleep=sleeps.append)


@pytest.fixture
def client(provider: MockProvider, sleeps: list[float]) -> Iterator[SS12000Client]:
    # Generous: a busy CI machine must not turn an ordinary answer into a time-out.
    with _client(provider, sleeps, timeout=5.0) as ss12000:
        yield ss12000


@pytest.fixture
def impatient_client(provider: MockProvider, sleeps: list[float]) -> Iterator[SS12000Client]:
    """Gives up after 0.25 s, well before the mock's late answer (1 s)."""
    with _client(provider, sleeps, timeout=0.25) as ss12000:
        yield ss12000
