"""Registry of every custom search attribute.

The dev server start script, docker-compose and the test fixtures register exactly
this list. Values are codes and opaque ids only, never personal data: search
attributes are stored and shown unencrypted.
"""

from __future__ import annotations

from temporalio.common import SearchAttributeKey

CASE_ID = SearchAttributeKey.for_keyword("CaseId")
CASE_STAGE = SearchAttributeKey.for_keyword("CaseStage")
RESIDENCE_ROUTE = SearchAttributeKey.for_keyword("ResidenceRoute")
PROCEDURE = SearchAttributeKey.for_keyword("Procedure")
OCCUPATION = SearchAttributeKey.for_keyword("Occupation")
ORIGIN_COUNTRIES = SearchAttributeKey.for_keyword_list("OriginCountries")
ADVISOR = SearchAttributeKey.for_keyword("Advisor")
CASE_OUTCOME = SearchAttributeKey.for_keyword("CaseOutcome")

ALL = [
    CASE_ID,
    CASE_STAGE,
    RESIDENCE_ROUTE,
    PROCEDURE,
    OCCUPATION,
    ORIGIN_COUNTRIES,
    ADVISOR,
    CASE_OUTCOME,
]

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


if __name__ == "__main__":
    # Used by scripts/run-main.sh: prints one argument per line.
    print("\n".join(cli_arguments()))
