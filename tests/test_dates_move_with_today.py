"""No test depends on the day it runs (#23): the next test that hard-codes a "recent" date
cannot land.

Two rules over every test module's source:

1. Nothing reads the real clock directly: ``models.clock`` does (``clock.today()``,
   ``clock.now()``), so the second unit run of ``bin/test`` (``WC_TEST_DAYS_AHEAD=365``)
   moves it. A line that must have the real time (a TLS certificate OpenSSL checks against
   it) says so with ``# real clock: <why>``.
2. A module that lives in today (it runs against the Temporal server, whose workflows use the
   server's time, or reads ``clock.today()``/``clock.now()``) computes its dates from today
   or a scenario anchor: a literal calendar date there (``date(2026, 5, 4)``,
   ``"2026-05-04"``, ``"04.05.2026"``) is refused unless its line says why it does not move
   with today, ``# fixed: <why>`` (a historic fact, a bound far from any today). Modules that
   never read today (pure calculations with their own fixed "today" passed in) may use
   literal dates: nothing in them is "recent".
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
# Fixtures that run against the Temporal server (tests/conftest.py).
SERVER_FIXTURES = {"stack", "encrypted", "client", "temporal_env", "settings"}
REAL_CLOCK = re.compile(r"\b(?:date\.today|datetime\.now|datetime\.utcnow|datetime\.today)\(")
DATE_CALL = re.compile(r"\b(?:date|datetime)\(\s*(?:19|20)\d\d\s*,")
DATE_TEXT = re.compile(r"[\"'][^\"'\n]*?(?:\b(?:19|20)\d\d-[01]\d-[0-3]\d(?!\d)|\b[0-3]\d\.[01]\d\.(?:19|20)\d\d\b)")
CLOCK_READ = re.compile(r"\bclock\.(?:today|now)\(|\bfrom tests\.workflows\.case_flow import [^\n]*\bTODAY\b")


def lives_in_today(source: str) -> bool:
    if CLOCK_READ.search(source):
        return True
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if {a.arg for a in node.args.args} & SERVER_FIXTURES:
                return True
    return False


def findings(source: str) -> list[str]:
    """Lines that break the rules, as 'line N: why'."""
    found = []
    live = lives_in_today(source)
    for n, line in enumerate(source.splitlines(), start=1):
        if REAL_CLOCK.search(line) and "# real clock:" not in line:
            found.append(f"line {n}: reads the real clock; use models.clock (clock.today(), clock.now())")
        if live and (DATE_CALL.search(line) or DATE_TEXT.search(line)) and "# fixed:" not in line:
            found.append(
                f"line {n}: a literal date in a module that runs in today; compute it from clock.today() "
                "or the scenario's anchor, or say '# fixed: <why>' if it does not move with today"
            )
    return found


MODULES = sorted(p for p in TESTS.rglob("*.py") if p.name != Path(__file__).name)


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(TESTS)) for p in MODULES])
def test_no_test_module_depends_on_the_day_it_runs(path: Path) -> None:
    assert findings(path.read_text(encoding="utf-8")) == []


LIVE = "async def test_x(stack: Stack) -> None:\n"
PURE = "def test_x() -> None:\n"


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        (LIVE + "    started = date(2026, 5, 4)\n", [2]),
        (LIVE + '    f.write_text("A-1;2026-05-04;cook")\n', [2]),
        (LIVE + '    run("--arrived-on", "20.11.2026")\n', [2]),
        (LIVE + "    started = clock.today() - timedelta(days=200)\n", []),
        (LIVE + "    published = date(2024, 3, 1)  # fixed: the day the service became permanent\n", []),
        ("from models import clock\nx = clock.today()\ny = datetime(2026, 1, 1, tzinfo=UTC)\n", [3]),
        ("from tests.workflows.case_flow import ADVISOR, TODAY\nEND = date(2026, 1, 1)\n", [2]),
        (PURE + "    assert due_on(date(2026, 8, 3)) == date(2027, 2, 2)\n", []),
        (PURE + "    today = date.today()\n", [2]),
        (PURE + "    now = datetime.now(UTC)  # real clock: OpenSSL checks the certificate against it\n", []),
        (PURE + "    now = dt.datetime.now(dt.UTC)\n", [2]),
        (PURE + '    assert render("DMS-2026-0412") == "x"\n', []),
    ],
)
def test_the_rules_catch_a_date_meant_as_recent(source: str, flagged: list[int]) -> None:
    assert [int(f.split(":")[0].removeprefix("line ")) for f in findings(source)] == flagged
