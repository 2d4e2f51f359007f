"""A mock SS 12000 provider over real HTTP (``http.server``, a thread per request).

It serves a ``Dataset`` the way the standard describes: ``{data, pageToken}`` lists, opaque page
tokens (signed, carrying the query they continue) that cannot be combined with filters,
``meta.modified.after``/``before`` and ``meta.created.after``/``before``, ``expand`` on /persons,
``/deletedEntities?after=``, ``/aggregatedAttendance`` with its required dates, and a bearer token.

Errors on demand (``inject``) for the next request(s) to a path: ``server_error`` (5xx with an
Error body), ``timeout`` (the answer comes after ``delay_seconds``), ``malformed_json`` (a cut-off
body) and ``refuse_page_token`` (400 for a request carrying a page token).

Every response is kept in ``responses`` so that a test can validate all of them against the
official OpenAPI document.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
import ssl
import sys
import threading
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from elevstod.ss12000.mock.dataset import (
    DELETED_KEYS,
    ENTITY_ENDPOINTS,
    OBJECT_TYPES,
    Dataset,
    parse_timestamp,
)

SERVER_ERROR = "server_error"
TIMEOUT = "timeout"
MALFORMED_JSON = "malformed_json"
REFUSE_PAGE_TOKEN = "refuse_page_token"  # noqa: S105 - a fault kind
FAULT_KINDS = (SERVER_ERROR, TIMEOUT, MALFORMED_JSON, REFUSE_PAGE_TOKEN)

PERSON_EXPANSIONS = (
    "duties",
    "responsibleFor",
    "placements",
    "ownedPlacements",
    "groupMemberships",
)
META_FILTERS = (
    "meta.created.before",
    "meta.created.after",
    "meta.modified.before",
    "meta.modified.after",
)
PAGING_PARAMETERS = frozenset({"pageToken", "limit"})
SELECTIONS_KEPT = 16  # queries whose selected rows are kept between pages


@dataclass
class Fault:
    kind: str
    path: str | None  # "/persons"; None: any path
    times: int
    status: int = 503


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    delay: float = 0.0
    fault: str | None = None  # the injected fault that shaped this reply


@dataclass(frozen=True)
class LoggedResponse:
    path: str  # as in the OpenAPI document: "/persons"
    query: dict[str, list[str]]
    status: int
    body: bytes
    fault: str | None


class BadRequestError(Exception):
    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def _json(status: int, body: Any) -> Reply:
    return Reply(status=status, body=json.dumps(body, ensure_ascii=False).encode())


def _error(status: int, code: str, message: str) -> Reply:
    return _json(status, {"code": code, "message": message})


@dataclass
class MockProvider:
    dataset: Dataset
    host: str = "127.0.0.1"
    port: int = 0
    base_path: str = "/v2.0"
    token: str = ""  # empty: no authentication asked
    page_size: int = 100  # the most rows a page holds, whatever `limit` asks
    delay_seconds: float = 2.0  # how late a `timeout` fault answers
    verbose: bool = False  # one line per request on stderr
    keep_responses: bool = True  # log every response (tests); off for long runs
    # A server-side TLS context (for mutual TLS: one that requires a client certificate).
    tls: ssl.SSLContext | None = None
    responses: list[LoggedResponse] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    _secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _stopping: threading.Event = field(default_factory=threading.Event, repr=False)
    _server: ThreadingHTTPServer | None = field(default=None, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)
    _index: tuple[int, dict[str, dict[str, list[dict[str, Any]]]]] | None = field(
        default=None, repr=False
    )
    # The rows a query selects, per (endpoint, query), while the dataset keeps its version: a
    # listing is walked once, not once per page (the large tier has 300,000 persons).
    _selections: dict[tuple[str, str], tuple[int, list[dict[str, Any]]]] = field(
        default_factory=dict, repr=False
    )

    # --- running --------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("The mock provider is not running")
        host, port = self._server.server_address[:2]
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{host!s}:{port}{self.base_path}"

    def _bind(self) -> _Server:
        server = _Server((self.host, self.port), _Handler, self)
        if self.tls is not None:
            server.socket = self.tls.wrap_socket(server.socket, server_side=True)
        return server

    def start(self) -> MockProvider:
        server = self._server = self._bind()
        # A short poll interval: stop() waits for the loop to see it (tests stop one per test).
        self._thread = threading.Thread(
            target=lambda: server.serve_forever(poll_interval=0.02),
            name="ss12000-mock",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server = self._bind()
        try:
            self._server.serve_forever()
        finally:
            self._server.server_close()

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def sleep(self, seconds: float) -> None:
        """Wait, unless the provider is stopping."""
        self._stopping.wait(seconds)

    # --- errors on demand -----------------------------------------------------------------------

    def inject(
        self, kind: str, *, path: str | None = None, times: int = 1, status: int = 503
    ) -> None:
        """The next ``times`` requests to ``path`` (e.g. "/persons"; None: any) meet ``kind``."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"Unknown fault: {kind}")
        with self._lock:
            self.faults.append(Fault(kind=kind, path=path, times=times, status=status))

    def _take_fault(self, path: str, query: Mapping[str, list[str]]) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.times <= 0 or fault.path not in (None, path):
                    continue
                if fault.kind == REFUSE_PAGE_TOKEN and "pageToken" not in query:
                    continue
                fault.times -= 1
                return fault
        return None

    def requests_to(self, path: str) -> list[dict[str, list[str]]]:
        """The query of every request answered for ``path``, in order."""
        with self._lock:
            return [logged.query for logged in self.responses if logged.path == path]

    # --- answering ------------------------------------------------------------------------------

    def respond(self, raw_path: str, authorization: str | None) -> tuple[str, Reply]:
        parts = urlsplit(raw_path)
        path = parts.path
        if self.base_path and path.startswith(self.base_path):
            path = path[len(self.base_path) :] or "/"
        query = parse_qs(parts.query, keep_blank_values=True)
        reply = self._reply(path, query, authorization)
        if not self.keep_responses:
            return path, reply
        with self._lock:
            self.responses.append(
                LoggedResponse(
                    path=path, query=query, status=reply.status, body=reply.body, fault=reply.fault
                )
            )
        return path, reply

    def _reply(self, path: str, query: dict[str, list[str]], authorization: str | None) -> Reply:
        if self.token and not hmac.compare_digest(
            (authorization or "").encode(), f"Bearer {self.token}".encode()
        ):
            return _error(401, "unauthorized", "En giltig bearer-token krävs.")
        fault = self._take_fault(path, query)
        if fault is None or fault.kind == TIMEOUT:
            try:
                reply = self._route(path, query)
            except BadRequestError as error:
                reply = _error(error.status, error.code, error.message)
        elif fault.kind == SERVER_ERROR:
            reply = _error(fault.status, "unavailable", "Tjänsten är tillfälligt otillgänglig.")
        elif fault.kind == MALFORMED_JSON:
            reply = Reply(status=200, body=b'{"data": [{"id": "')
        else:  # REFUSE_PAGE_TOKEN
            reply = _error(400, "invalid_page_token", "Sidtoken kan inte användas.")
        if fault is None:
            return reply
        delay = self.delay_seconds if fault.kind == TIMEOUT else 0.0
        return Reply(status=reply.status, body=reply.body, delay=delay, fault=fault.kind)

    def _route(self, path: str, query: dict[str, list[str]]) -> Reply:
        endpoint = path.strip("/")
        if endpoint in ENTITY_ENDPOINTS:
            return self._list(endpoint, query, lambda q: self._entities(endpoint, q))
        if endpoint == "aggregatedAttendance":
            return self._list(endpoint, query, self._attendance)
        if endpoint == "deletedEntities":
            return self._deleted(query)
        raise BadRequestError("not_found", "Okänd resurs.", status=404)

    # --- paging ---------------------------------------------------------------------------------

    def _list(
        self,
        endpoint: str,
        query: dict[str, list[str]],
        select: Callable[[dict[str, list[str]]], list[dict[str, Any]]],
    ) -> Reply:
        filters, offset, limit = self._page_request(endpoint, query)
        rows = select(filters)
        page = self._expand_page(endpoint, rows[offset : offset + limit], filters)
        following = offset + limit
        token = self._token(endpoint, following, filters) if following < len(rows) else None
        return _json(200, {"data": page, "pageToken": token})

    def _page_request(
        self, endpoint: str, query: dict[str, list[str]]
    ) -> tuple[dict[str, list[str]], int, int]:
        limit = self.page_size
        if "limit" in query:
            try:
                limit = int(query["limit"][-1])
            except ValueError:
                raise BadRequestError("invalid_limit", "limit ska vara ett heltal.") from None
            if limit < 1:
                raise BadRequestError("invalid_limit", "limit ska vara minst 1.")
            limit = min(limit, self.page_size)
        if "pageToken" not in query:
            return {k: v for k, v in query.items() if k not in PAGING_PARAMETERS}, 0, limit
        if set(query) - PAGING_PARAMETERS:
            raise BadRequestError("invalid_filter", "Filter kan inte kombineras med pageToken.")
        state = self._read_token(query["pageToken"][-1])
        if state is None or state.get("endpoint") != endpoint:
            raise BadRequestError("invalid_page_token", "Sidtoken kan inte användas.")
        return state["query"], int(state["offset"]), limit

    def _token(self, endpoint: str, offset: int, filters: dict[str, list[str]]) -> str:
        payload = json.dumps(
            {"endpoint": endpoint, "offset": offset, "query": filters}, separators=(",", ":")
        ).encode()
        signature = hmac.new(self._secret, payload, hashlib.sha256).digest()[:16]
        return (
            base64.urlsafe_b64encode(payload).decode().rstrip("=")
            + "."
            + base64.urlsafe_b64encode(signature).decode().rstrip("=")
        )

    def _read_token(self, token: str) -> dict[str, Any] | None:
        try:
            encoded, encoded_signature = token.split(".")
            payload = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
            signature = base64.urlsafe_b64decode(
                encoded_signature + "=" * (-len(encoded_signature) % 4)
            )
        except ValueError:
            return None
        expected = hmac.new(self._secret, payload, hashlib.sha256).digest()[:16]
        if not hmac.compare_digest(signature, expected):
            return None
        state: dict[str, Any] = json.loads(payload)
        return state

    # --- selections -----------------------------------------------------------------------------

    def _entities(self, endpoint: str, query: dict[str, list[str]]) -> list[dict[str, Any]]:
        key = (endpoint, json.dumps(query, sort_keys=True))
        version = self.dataset.version
        with self._lock:
            cached = self._selections.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
        rows = self._select(endpoint, query)
        with self._lock:
            if len(self._selections) >= SELECTIONS_KEPT:
                self._selections.clear()
            self._selections[key] = (version, rows)
        return rows

    def _select(self, endpoint: str, query: dict[str, list[str]]) -> list[dict[str, Any]]:
        bounds = _meta_bounds(query)
        rows = [row for row in self.dataset.listing(endpoint) if _within(row["meta"], bounds)]
        if endpoint == "organisations" and query.get("type"):
            rows = [row for row in rows if row.get("organisationType") in query["type"]]
        if endpoint == "groups" and query.get("groupType"):
            rows = [row for row in rows if row.get("groupType") in query["groupType"]]
        if endpoint == "persons" and query.get("expand"):
            expand = query["expand"]
            unknown = set(expand) - set(PERSON_EXPANSIONS)
            if unknown:
                raise BadRequestError("invalid_expand", "Okänt värde för expand.")
        return rows

    def _expand_page(
        self, endpoint: str, page: list[dict[str, Any]], query: dict[str, list[str]]
    ) -> list[dict[str, Any]]:
        if endpoint != "persons" or not query.get("expand"):
            return page
        index = self._expansion_index()
        return [self._expand_person(person, query["expand"], index) for person in page]

    def _expansion_index(self) -> dict[str, dict[str, list[dict[str, Any]]]]:
        """Who has which duties, children and placements; built once per version of the data."""
        with self._lock:
            if self._index is not None and self._index[0] == self.dataset.version:
                return self._index[1]
        index: dict[str, dict[str, list[dict[str, Any]]]] = {
            name: defaultdict(list) for name in PERSON_EXPANSIONS
        }
        for duty in self.dataset.listing("duties"):
            if "person" in duty:
                index["duties"][duty["person"]["id"]].append(duty)
        for child in self.dataset.listing("persons"):
            for responsible in child.get("responsibles", []):
                if "relationType" in responsible:
                    index["responsibleFor"][responsible["person"]["id"]].append(
                        {"person": {"id": child["id"]}, "relationType": responsible["relationType"]}
                    )
        for placement in self.dataset.listing("placements"):
            index["placements"][placement["child"]["id"]].append(placement)
            for owner in placement.get("owners", []):
                index["ownedPlacements"][owner["id"]].append(placement)
        # groupMemberships stays empty: Elevstöd reads memberships from /groups.
        with self._lock:
            self._index = (self.dataset.version, index)
        return index

    @staticmethod
    def _expand_person(
        person: dict[str, Any],
        expand: list[str],
        index: dict[str, dict[str, list[dict[str, Any]]]],
    ) -> dict[str, Any]:
        embedded = {name: index[name].get(person["id"], []) for name in expand}
        return person | {"_embedded": embedded}

    def _attendance(self, query: dict[str, list[str]]) -> list[dict[str, Any]]:
        try:
            start = dt.date.fromisoformat(query["startDate"][-1])
            end = dt.date.fromisoformat(query["endDate"][-1])
        except (KeyError, ValueError):
            raise BadRequestError(
                "invalid_filter", "startDate och endDate krävs (RFC 3339-datum)."
            ) from None
        rows = [
            row
            for row in self.dataset.attendance()
            if dt.date.fromisoformat(row["startDate"]) <= end
            and dt.date.fromisoformat(row["endDate"]) >= start
        ]
        for name, key in (("student", "student"), ("organisation", "organisation")):
            if query.get(name):
                rows = [row for row in rows if row.get(key, {}).get("id") in query[name]]
        return rows

    def _deleted(self, query: dict[str, list[str]]) -> Reply:
        filters, offset, limit = self._page_request("deletedEntities", query)
        after = _parse_filter_time(filters, "after")
        types = filters.get("entities", [])
        known = set(OBJECT_TYPES.values())
        if set(types) - known:
            raise BadRequestError("invalid_filter", "Okänd entitetstyp.")
        deletions = [
            deletion
            for deletion in self.dataset.deleted()
            if (after is None or deletion.at > after)
            and (not types or OBJECT_TYPES[deletion.endpoint] in types)
        ]
        page = deletions[offset : offset + limit]
        data: dict[str, list[str]] = {}
        for deletion in page:
            data.setdefault(DELETED_KEYS[deletion.endpoint], []).append(deletion.id)
        following = offset + limit
        token = (
            self._token("deletedEntities", following, filters)
            if following < len(deletions)
            else None
        )
        return _json(200, {"data": data, "pageToken": token})


def _parse_filter_time(query: Mapping[str, list[str]], name: str) -> dt.datetime | None:
    if not query.get(name):
        return None
    try:
        return parse_timestamp(query[name][-1])
    except ValueError:
        raise BadRequestError(
            "invalid_filter", f"{name} ska vara en tidpunkt i RFC 3339-format."
        ) from None


def _meta_bounds(query: Mapping[str, list[str]]) -> dict[str, dt.datetime]:
    bounds = {}
    for name in META_FILTERS:
        moment = _parse_filter_time(query, name)
        if moment is not None:
            bounds[name] = moment
    return bounds


def _within(meta: Mapping[str, str], bounds: Mapping[str, dt.datetime]) -> bool:
    """After: exclusive; before: inclusive (the standard's wording)."""
    for name, moment in bounds.items():
        _, which, direction = name.split(".")
        value = parse_timestamp(meta[which])
        if direction == "after" and not value > moment:
            return False
        if direction == "before" and not value <= moment:
            return False
    return True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        provider: MockProvider,
    ) -> None:
        self.provider = provider
        super().__init__(address, handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go in two writes: no 40 ms stall between

    def do_GET(self) -> None:
        provider = self.server.provider
        _, reply = provider.respond(self.path, self.headers.get("Authorization"))
        if reply.delay:
            provider.sleep(reply.delay)
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a time-out on its side)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.provider.verbose:  # the command-line runner; quiet in tests
            sys.stderr.write(f"{self.address_string()} {format % args}\n")
