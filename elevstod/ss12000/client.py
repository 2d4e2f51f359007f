"""An SS 12000 client: the only code here that talks to the school-administration system.

Every list endpoint is read page by page (``pageToken``); each page parses row by row, so a row
without the shape we need is refused with a reason and the rest of the page is kept. A provider that
answers 5xx, 429 or not at all is retried with exponential back-off; after the last attempt, and for
answers that cannot be used (malformed JSON, a refused page token, access denied), a
``ProviderError`` names what happened in ``code`` (stable, for the sync's summary) and ``detail``
(for the operator; it never repeats values from the provider's answer, so no personal data).
"""

from __future__ import annotations

import datetime as dt
import json
import ssl
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

import httpx
from pydantic import ValidationError

from elevstod.ss12000.schemas import (
    Absence,
    Activity,
    AggregatedAttendance,
    DeletedEntities,
    Duty,
    Group,
    Organisation,
    Page,
    Person,
    Placement,
    RefusedRow,
    SS12000Model,
)

M = TypeVar("M", bound=SS12000Model)

# ProviderError.code values.
TIMEOUT = "timeout"
CONNECTION_FAILED = "connection_failed"
SERVER_ERROR = "server_error"
MALFORMED_JSON = "malformed_json"
INVALID_RESPONSE = "invalid_response"
PAGE_TOKEN_REFUSED = "page_token_refused"  # noqa: S105 - an error code
ACCESS_DENIED = "access_denied"
REQUEST_REFUSED = "request_refused"

RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})

# The expansions of /persons the sync needs: the children a guardian is responsible for, and a
# staff member's duties. `responsibles` and `enrolments` are always part of a Person.
DEFAULT_PERSON_EXPAND = ("responsibleFor", "duties")


class ProviderError(Exception):
    """The provider's answer could not be used. ``code`` is one of the constants above."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


class PageTokenRefusedError(ProviderError):
    """The provider refused a page token it gave us: the listing must start again from the top."""


@dataclass(frozen=True)
class ClientConfig:
    base_url: str
    token: str = ""
    # Mutual TLS (Skolfederation's Moa): PEM files of our client certificate and key, and the CA
    # bundle that signs the provider's certificate (empty: the system's trust store).
    client_cert: str = ""
    client_key: str = ""
    ca_bundle: str = ""
    timeout_seconds: float = 30.0
    max_attempts: int = 4
    backoff_seconds: float = 1.0
    max_backoff_seconds: float = 30.0
    page_size: int = 1000


def config_from_settings() -> ClientConfig:
    """The client's configuration from the ELEVSTOD_SS12000_* settings."""
    from django.conf import settings

    def setting(name: str, default: Any) -> Any:
        return getattr(settings, f"ELEVSTOD_SS12000_{name}", default)

    return ClientConfig(
        base_url=str(setting("URL", "")),
        token=str(setting("TOKEN", "")),
        client_cert=str(setting("CLIENT_CERT", "")),
        client_key=str(setting("CLIENT_KEY", "")),
        ca_bundle=str(setting("CA_BUNDLE", "")),
        timeout_seconds=float(setting("TIMEOUT_SECONDS", 30.0)),
        max_attempts=int(setting("MAX_ATTEMPTS", 4)),
        backoff_seconds=float(setting("BACKOFF_SECONDS", 1.0)),
        page_size=int(setting("PAGE_SIZE", 1000)),
    )


def _ssl_context(config: ClientConfig) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=config.ca_bundle or None)
    if config.client_cert:
        context.load_cert_chain(config.client_cert, config.client_key or None)
    return context


def _timestamp(value: dt.datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("SS 12000 timestamps must carry a time zone")
    return value.isoformat()


def _refusal_reason(error: ValidationError) -> str:
    # Field paths and error types only: pydantic's messages would repeat the offending values.
    parts = []
    for item in error.errors(include_url=False, include_input=False):
        location = ".".join(str(part) for part in item["loc"]) or "(row)"
        parts.append(f"{location}: {item['type']}")
    return "; ".join(parts)


def _parse_rows(rows: list[Any], model: type[M]) -> tuple[list[M], list[RefusedRow]]:
    items: list[M] = []
    refused: list[RefusedRow] = []
    for index, row in enumerate(rows):
        try:
            items.append(model.model_validate(row))
        except ValidationError as error:
            row_id = row.get("id") if isinstance(row, dict) else None
            refused.append(
                RefusedRow(
                    index=index,
                    id=row_id if isinstance(row_id, str) else None,
                    reason=_refusal_reason(error),
                )
            )
    return items, refused


class SS12000Client:
    """Read SS 12000 entities. Use as a context manager, or call ``close()``."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not config.base_url:
            raise ValueError("The SS 12000 client needs the provider's base URL")
        self.config = config
        self._sleep = sleep
        headers = {"Accept": "application/json"}
        if config.token:
            headers["Authorization"] = f"Bearer {config.token}"
        self._http = httpx.Client(
            base_url=config.base_url,
            headers=headers,
            timeout=httpx.Timeout(config.timeout_seconds),
            verify=_ssl_context(config),
            transport=transport,
            follow_redirects=False,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SS12000Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- endpoints ------------------------------------------------------------------------------

    def organisations(
        self, *, modified_after: dt.datetime | None = None, types: Sequence[str] = ()
    ) -> Iterator[Page[Organisation]]:
        return self._pages(
            "/organisations",
            {"meta.modified.after": modified_after, "type": list(types)},
            Organisation,
        )

    def persons(
        self,
        *,
        modified_after: dt.datetime | None = None,
        expand: Sequence[str] = DEFAULT_PERSON_EXPAND,
    ) -> Iterator[Page[Person]]:
        return self._pages(
            "/persons", {"meta.modified.after": modified_after, "expand": list(expand)}, Person
        )

    def placements(self, *, modified_after: dt.datetime | None = None) -> Iterator[Page[Placement]]:
        return self._pages("/placements", {"meta.modified.after": modified_after}, Placement)

    def duties(self, *, modified_after: dt.datetime | None = None) -> Iterator[Page[Duty]]:
        return self._pages("/duties", {"meta.modified.after": modified_after}, Duty)

    def groups(
        self, *, modified_after: dt.datetime | None = None, group_types: Sequence[str] = ()
    ) -> Iterator[Page[Group]]:
        return self._pages(
            "/groups",
            {"meta.modified.after": modified_after, "groupType": list(group_types)},
            Group,
        )

    def activities(self, *, modified_after: dt.datetime | None = None) -> Iterator[Page[Activity]]:
        return self._pages("/activities", {"meta.modified.after": modified_after}, Activity)

    def absences(self, *, modified_after: dt.datetime | None = None) -> Iterator[Page[Absence]]:
        return self._pages("/absences", {"meta.modified.after": modified_after}, Absence)

    def aggregated_attendance(
        self, *, start_date: dt.date, end_date: dt.date, organisation: UUID | None = None
    ) -> Iterator[Page[AggregatedAttendance]]:
        return self._pages(
            "/aggregatedAttendance",
            {
                "startDate": start_date.isoformat(),
                "endDate": end_date.isoformat(),
                "organisation": str(organisation) if organisation else None,
            },
            AggregatedAttendance,
        )

    def deleted_entities(
        self, *, after: dt.datetime | None = None, entities: Sequence[str] = ()
    ) -> DeletedEntities:
        """Every id the provider removed after ``after`` (exclusive), all pages merged.

        ``entities`` are Code_ObjectType values (Person, Duty, …); empty means every type.
        """
        merged: dict[str, list[UUID]] = {name: [] for name in DeletedEntities.model_fields}
        query: dict[str, Any] = {"after": after, "entities": list(entities)}
        for body in self._bodies("/deletedEntities", query):
            if not isinstance(body.get("data"), dict):
                raise ProviderError(INVALID_RESPONSE, "GET /deletedEntities: data is not an object")
            try:
                page = DeletedEntities.model_validate(body["data"])
            except ValidationError as error:
                raise ProviderError(
                    INVALID_RESPONSE, f"GET /deletedEntities: {_refusal_reason(error)}"
                ) from error
            for name in merged:
                merged[name].extend(getattr(page, name))
        return DeletedEntities(**merged)

    # --- paging ---------------------------------------------------------------------------------

    def _pages(self, path: str, query: Mapping[str, Any], model: type[M]) -> Iterator[Page[M]]:
        for body in self._bodies(path, query):
            if not isinstance(body.get("data"), list):
                raise ProviderError(INVALID_RESPONSE, f"GET {path}: data is not a list")
            items, refused = _parse_rows(body["data"], model)
            yield Page(items=items, refused=refused, next_page_token=body.get("pageToken"))

    def _bodies(self, path: str, query: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """The JSON object of every page. A page token goes alone (with ``limit``): the standard
        refuses it combined with filters, which the token already carries."""
        params: dict[str, Any] = {}
        for name, value in query.items():
            if value is None or value == []:
                continue
            params[name] = _timestamp(value) if isinstance(value, dt.datetime) else value
        params["limit"] = self.config.page_size
        seen_tokens: set[str] = set()
        while True:
            body = self._get(path, params)
            if not isinstance(body, dict):
                raise ProviderError(INVALID_RESPONSE, f"GET {path}: the answer is not an object")
            token = body.get("pageToken")
            if token is not None and not isinstance(token, str):
                raise ProviderError(INVALID_RESPONSE, f"GET {path}: pageToken is not a string")
            yield body
            if not token:
                return
            if token in seen_tokens:
                raise ProviderError(INVALID_RESPONSE, f"GET {path}: the same page token came twice")
            seen_tokens.add(token)
            params = {"pageToken": token, "limit": self.config.page_size}

    # --- one request ----------------------------------------------------------------------------

    def _get(self, path: str, params: Mapping[str, Any]) -> Any:
        """GET and decode JSON; 5xx, 429, time-outs and broken connections are retried."""
        attempts = max(1, self.config.max_attempts)
        for attempt in range(1, attempts + 1):
            retry_after: float | None = None
            try:
                response = self._http.get(path, params=params)
            except httpx.TimeoutException:
                failure = ProviderError(
                    TIMEOUT,
                    f"GET {path}: no answer within {self.config.timeout_seconds} s "
                    f"({attempts} attempts)",
                )
            except httpx.TransportError as error:
                failure = ProviderError(
                    CONNECTION_FAILED,
                    f"GET {path}: {type(error).__name__} ({attempts} attempts)",
                )
            else:
                if response.status_code not in RETRIED_STATUSES:
                    return self._decode(path, params, response)
                failure = ProviderError(
                    SERVER_ERROR,
                    f"GET {path}: HTTP {response.status_code} ({attempts} attempts)",
                )
                retry_after = self._retry_after(response)
            if attempt < attempts:
                self._sleep(self._backoff(attempt, retry_after))
        raise failure

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        delay = self.config.backoff_seconds * 2 ** (attempt - 1)
        if retry_after is not None:
            delay = max(delay, retry_after)
        return min(delay, self.config.max_backoff_seconds)

    @staticmethod
    def _retry_after(response: httpx.Response) -> float | None:
        value = response.headers.get("Retry-After", "")
        return float(value) if value.isdigit() else None

    @staticmethod
    def _decode(path: str, params: Mapping[str, Any], response: httpx.Response) -> Any:
        status = response.status_code
        if status == 400 and "pageToken" in params:
            raise PageTokenRefusedError(
                PAGE_TOKEN_REFUSED, f"GET {path}: the provider refused its own page token"
            )
        if status in (401, 403):
            raise ProviderError(ACCESS_DENIED, f"GET {path}: HTTP {status}")
        if status != 200:
            raise ProviderError(
                REQUEST_REFUSED, f"GET {path}: HTTP {status} {_error_code(response)}".rstrip()
            )
        try:
            return json.loads(response.content)
        except ValueError as error:
            position = (
                f" at character {error.pos}" if isinstance(error, json.JSONDecodeError) else ""
            )
            raise ProviderError(
                MALFORMED_JSON, f"GET {path}: the answer is not valid JSON{position}"
            ) from error


def _error_code(response: httpx.Response) -> str:
    """The ``code`` of an SS 12000 Error body, when there is one (never its free-text message)."""
    try:
        body = response.json()
    except ValueError:
        return ""
    code = body.get("code") if isinstance(body, dict) else None
    return f"({code[:60]})" if isinstance(code, str) else ""
