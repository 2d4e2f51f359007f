"""Validate responses against the official SS 12000 2.1.0 OpenAPI document.

The document is kept unedited beside the package (``openapi/``; its sha256 is the one SIS
publishes). OpenAPI 3.0 schemas are JSON Schema draft 4 with ``nullable``; ``nullable: true`` is
turned into a JSON Schema ``null`` type before validation, nothing else is changed. Formats (uuid,
date, date-time, email, uri) are checked. Beyond the schema, a response may carry no property the
document does not declare: the standard allows extra properties, but our mock must not invent any,
or the client would come to depend on a field no real provider sends.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from elevstod.ss12000.mock.server import MALFORMED_JSON, LoggedResponse

OPENAPI_PATH = Path(__file__).resolve().parents[1] / "openapi" / "openapi_ss12000_version2_1_0.yaml"
OFFICIAL_SHA256 = "aee9a95a4c5bd25cebaf357d266592f94e9388ae785ee9ac3b58e1992acccd28"
BASE_URI = "urn:ss12000:2.1.0"

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")

FORMATS = FormatChecker(formats=())


@FORMATS.checks("date")
def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return bool(_DATE.match(value)) and bool(dt.date.fromisoformat(value))


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return bool(_DATE_TIME.match(value)) and bool(dt.datetime.fromisoformat(value))


@FORMATS.checks("uuid", raises=ValueError)
def _is_uuid(value: object) -> bool:
    return not isinstance(value, str) or (bool(_UUID.match(value)) and bool(uuid.UUID(value)))


@FORMATS.checks("email")
def _is_email(value: object) -> bool:
    return not isinstance(value, str) or ("@" in value and " " not in value)


@FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or bool(urlsplit(value).scheme)


def _nullable_to_json_schema(node: Any) -> Any:
    if isinstance(node, list):
        return [_nullable_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _nullable_to_json_schema(value) for key, value in node.items()}
    if converted.pop("nullable", False) is True:
        if isinstance(converted.get("type"), str):
            converted["type"] = [converted["type"], "null"]
        else:
            converted = {"anyOf": [converted, {"type": "null"}]}
    return converted


@functools.cache
def openapi_document() -> dict[str, Any]:
    raw = OPENAPI_PATH.read_bytes()
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    # YAML turns example dates into date objects; a JSON round trip would not matter to schemas.
    document: dict[str, Any] = _nullable_to_json_schema(yaml.load(raw, Loader=loader))  # noqa: S506
    return document


def document_sha256() -> str:
    return hashlib.sha256(OPENAPI_PATH.read_bytes()).hexdigest()


@functools.cache
def _registry() -> Registry[Any]:
    resource = Resource.from_contents(openapi_document(), default_specification=DRAFT4)
    return Registry().with_resource(BASE_URI, resource)


def response_schema_pointer(path: str, status: int) -> str:
    """The JSON pointer of the schema the document gives for GET ``path`` answering ``status``."""
    operation = openapi_document()["paths"][path]["get"]
    responses = operation["responses"]
    response = responses.get(str(status)) or responses["default"]
    ref: str = response["content"]["application/json"]["schema"]["$ref"]
    return ref


def validator_for(pointer: str) -> Draft4Validator:
    return Draft4Validator(
        {"$ref": BASE_URI + pointer}, registry=_registry(), format_checker=FORMATS
    )


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        ref = schema["$ref"]
        if not ref.startswith("#/"):
            raise ValueError(f"Unexpected reference {ref}")
        node: Any = openapi_document()
        for part in ref[2:].split("/"):
            node = node[part]
        schema = node
    return schema


def _declared(schema: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The properties an object schema declares (through allOf too), and its items schema."""
    schema = _resolve(schema)
    properties = dict(schema.get("properties", {}))
    items = schema.get("items")
    for part in schema.get("allOf", []) + schema.get("anyOf", []):
        more, more_items = _declared(part)
        properties.update(more)
        items = items or more_items
    return properties, items


def undeclared_properties(instance: Any, schema: dict[str, Any], where: str = "$") -> list[str]:
    properties, items = _declared(schema)
    problems: list[str] = []
    if isinstance(instance, dict):
        for key, value in instance.items():
            if key not in properties:
                problems.append(f"{where}.{key}")
            else:
                problems += undeclared_properties(value, properties[key], f"{where}.{key}")
    elif isinstance(instance, list) and items is not None:
        for index, value in enumerate(instance):
            problems += undeclared_properties(value, items, f"{where}[{index}]")
    return problems


def problems_with(path: str, status: int, body: Any) -> list[str]:
    """Everything wrong with one response body by the document, as readable lines."""
    pointer = response_schema_pointer(path, status)
    validator = validator_for(pointer)
    problems = [
        f"{path} {status} at {error.json_path}: {error.message}"
        for error in validator.iter_errors(body)
    ]
    problems += [
        f"{path} {status}: {where} is not in the standard"
        for where in undeclared_properties(body, {"$ref": pointer})
    ]
    return problems


def assert_conforms(responses: list[LoggedResponse]) -> int:
    """Every logged response (but a deliberately malformed one) conforms; how many were checked."""
    problems: list[str] = []
    checked = 0
    for logged in responses:
        if logged.fault == MALFORMED_JSON:
            continue
        if logged.path not in openapi_document()["paths"]:
            problems.append(f"{logged.path}: not a path of the standard")
            continue
        problems += problems_with(logged.path, logged.status, json.loads(logged.body))
        checked += 1
    assert not problems, "\n".join(problems[:20])
    return checked
