"""Registry of every custom search attribute.

The dev server start script, docker-compose and the test fixtures register exactly
this list. Values are codes and opaque ids only, never personal data: search
attributes are stored and shown unencrypted.
"""

from __future__ import annotations

import sys
from typing import Any

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import Client
from temporalio.common import SearchAttributeKey, SearchAttributeUpdate

CASE_ID = SearchAttributeKey.for_keyword("CaseId")
CASE_STAGE = SearchAttributeKey.for_keyword("CaseStage")
RESIDENCE_ROUTE = SearchAttributeKey.for_keyword("ResidenceRoute")
PROCEDURE = SearchAttributeKey.for_keyword("Procedure")
OCCUPATION = SearchAttributeKey.for_keyword("Occupation")
ORIGIN_COUNTRIES = SearchAttributeKey.for_keyword_list("OriginCountries")
ADVISOR = SearchAttributeKey.for_keyword("Advisor")
CASE_OUTCOME = SearchAttributeKey.for_keyword("CaseOutcome")
# Deadlines: "every overdue case" is one query (Overdue = true).
NEXT_DEADLINE = SearchAttributeKey.for_datetime("NextDeadline")
ESCALATION_LEVEL = SearchAttributeKey.for_int("EscalationLevel")
OVERDUE = SearchAttributeKey.for_bool("Overdue")
# Something went wrong that a person must look at (e.g. the deadline clocks hit an error).
INCIDENT = SearchAttributeKey.for_bool("Incident")
# The code version a case or journey follows (core/versions.py; none: before version 10).
CODE_VERSION = SearchAttributeKey.for_int("CodeVersion")

ALL: list[SearchAttributeKey[Any]] = [
    CASE_ID,
    CASE_STAGE,
    RESIDENCE_ROUTE,
    PROCEDURE,
    OCCUPATION,
    ORIGIN_COUNTRIES,
    ADVISOR,
    CASE_OUTCOME,
    NEXT_DEADLINE,
    ESCALATION_LEVEL,
    OVERDUE,
    INCIDENT,
    CODE_VERSION,
]


def case_attributes(
    *,
    case_id: str,
    stage: str,
    route: str,
    procedure: str,
    occupation: str,
    advisor: str,
    origin_countries: list[str],
    outcome: str | None,
    code_version: int | None = None,
) -> list[SearchAttributeUpdate[Any]]:
    """What cases and journeys alike show in the Web UI's list (codes only)."""
    updates: list[SearchAttributeUpdate[Any]] = [
        CASE_ID.value_set(case_id),
        CASE_STAGE.value_set(stage),
        RESIDENCE_ROUTE.value_set(route),
        PROCEDURE.value_set(procedure),
        OCCUPATION.value_set(occupation),
        ADVISOR.value_set(advisor),
    ]
    if origin_countries:
        updates.append(ORIGIN_COUNTRIES.value_set(origin_countries))
    if outcome:
        updates.append(CASE_OUTCOME.value_set(outcome))
    if code_version is not None:
        updates.append(CODE_VERSION.value_set(code_version))
    return updates


# Names the Temporal CLI expects for --search-attribute Name=Type.
_CLI_TYPE = {
    "KEYWORD": "Keyword",
    "KEYWORD_LIST": "KeywordList",
    "TEXT": "Text",
    "INT": "Int",
    "FLOAT": "Double",
    "BOOL": "Bool",
    "DATETIME": "Datetime",
}


def cli_arguments() -> list[str]:
    """``--search-attribute Name=Type`` pairs for ``temporal server start-dev``."""
    args: list[str] = []
    for key in ALL:
        args += ["--search-attribute", f"{key.name}={_CLI_TYPE[key.indexed_value_type.name]}"]
    return args


async def register(client: Client, namespace: str) -> list[str]:
    """Register every attribute of the registry that the server lacks (a Temporal
    server with its own database, e.g. docker-compose). Returns the names added."""
    existing = await client.operator_service.list_search_attributes(ListSearchAttributesRequest(namespace=namespace))
    missing = {
        key.name: IndexedValueType.ValueType(key.indexed_value_type)
        for key in ALL
        if key.name not in existing.custom_attributes
    }
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=namespace, search_attributes=missing)
        )
    return sorted(missing)


async def _register_when_known(client: Client, namespace: str, seconds: int = 60) -> list[str]:
    """A namespace just registered reaches every part of the server within seconds: until
    then the server says it does not know it (seen adding a second office, #25 point 8)."""
    import asyncio

    from temporalio.service import RPCError, RPCStatusCode

    for _ in range(seconds):
        try:
            return await register(client, namespace)
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND:
                raise
            await asyncio.sleep(1)
    return await register(client, namespace)


async def _register_from_settings() -> None:
    from core.client import connect
    from core.config import get_settings
    from core.namespace import ensure_namespace

    settings = get_settings()
    client = await connect(settings)
    # A real Temporal server starts without the namespace (the dev server makes it).
    if await ensure_namespace(client, settings.temporal_namespace):
        print(f"namespace {settings.temporal_namespace} registered")
    added = await _register_when_known(client, settings.temporal_namespace)
    print(f"search attributes added: {', '.join(added) or 'none (all present)'}")


if __name__ == "__main__":
    # `python -m core.search_attributes`          -> start-dev arguments, one per line
    # `python -m core.search_attributes register` -> register on the configured server
    if sys.argv[1:] == ["register"]:
        from core.process import run_to_exit

        run_to_exit(_register_from_settings())
    else:
        print("\n".join(cli_arguments()))
