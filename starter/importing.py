"""Reading, checking and importing a file of past cases (#16 point 1): CSV (comma or
semicolon, UTF-8, as spreadsheets save it) or XLSX (first sheet), the header in English or
German (``models/import_rows.py``). ``check`` names every problem by row and column and
changes nothing; it is what ``bin/starter import FILE --dry-run`` prints. ``cases`` turns
the checked rows into the cases' start inputs: one case per case_ref (its rows' candidates
its journeys), with a case id derived from the case_ref, so importing the file again finds
the cases it made and changes nothing."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from core.validation import reason
from models import programmes
from models.case import CASE_ID_ALPHABET, Employer, ImportedCase, NewCase
from models.door import refusals
from models.import_rows import GERMAN_COLUMNS, ImportRow
from models.said import Said, say

GERMAN_FOR = {english: german for german, english in GERMAN_COLUMNS.items()}
# What rows of one case_ref share: the case's own columns.
CASE_COLUMNS = ("advisor", "employer_name", "advised_on", "occupation", "route", "procedure", "origin_programme")
DATE_COLUMNS = {n for n, f in ImportRow.model_fields.items() if "date" in str(f.annotation)}


@dataclass(frozen=True)
class Problem:
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str  # as the file names it
    why: Said  # may begin with the field's own name ("reason: ..."), which the line leaves out

    def render(self, render: Callable[[Said], str] = Said.english) -> str:
        why, english = render(self.why), self.why.english()
        field = english.split(": ", 1)[0]
        if english.startswith(f"{field}: "):  # the column already names the field
            why = why.removeprefix(f"{field}: ")
        return render(say("row {row}, column {column}: {why}", row=self.row, column=self.column, why=why))

    def __str__(self) -> str:
        return self.render()


@dataclass
class Checked:
    rows: list[tuple[int, ImportRow]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class FileProblem(ValueError):
    """The file cannot be read as a table: what is wrong, translatable (``str`` is English)."""

    def __init__(self, said: Said) -> None:
        super().__init__(said.english())
        self.said = said


# A cell longer than this is no value of a past case (the csv module's own limit is 131,072).
MAX_CELL_CHARACTERS = 10_000


def read_table(path: Path) -> tuple[list[str], list[list[Any]]]:
    """The header and the data rows (blank rows left out). A file that is no table of this
    kind raises ``FileProblem`` naming the file and why, never a traceback."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        table = _workbook_rows(path)
    elif suffix == ".csv":
        table = _csv_rows(path)
    else:
        raise FileProblem(say("file: {name}: a .csv or .xlsx file is expected", name=path.name))
    if not table:
        raise FileProblem(say("file: {name} is empty", name=path.name))
    header = [str(c or "").strip() for c in table[0]]
    return header, table[1:]


def _workbook_rows(path: Path) -> list[list[Any]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        return [list(r) for r in sheet.iter_rows(values_only=True)]
    except (BadZipFile, InvalidFileException, KeyError, IndexError):
        # KeyError: a zip without a workbook in it; IndexError: a workbook without a sheet.
        raise FileProblem(say("file: {name} is not an Excel workbook (.xlsx)", name=path.name)) from None


def _csv_rows(path: Path) -> list[list[Any]]:
    text = _decoded(path)
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    if not first:
        return []
    if "," not in first and ";" not in first:
        raise FileProblem(
            say(
                "file: {name}: its first line has no columns separated by comma or semicolon; "
                "a table of past cases is expected",
                name=path.name,
            )
        )
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(lines, delimiter=delimiter)
    table: list[list[Any]] = []
    try:
        for cells in reader:
            if any(len(c) > MAX_CELL_CHARACTERS for c in cells):
                raise _too_long(path, reader.line_num)
            table.append(list(cells))
    except csv.Error as err:
        if "field larger" in str(err):  # the csv module's own limit
            raise _too_long(path, reader.line_num) from None
        why = str(err)
        raise FileProblem(
            say("file: {name}, row {row}: not readable as CSV ({why})", name=path.name, row=reader.line_num, why=why)
        ) from None
    return table


def _too_long(path: Path, row: int) -> FileProblem:
    return FileProblem(
        say(
            "file: {name}, row {row}: a cell longer than {limit} characters",
            name=path.name,
            row=row,
            limit=MAX_CELL_CHARACTERS,
        )
    )


def _decoded(path: Path) -> str:
    """UTF-8 as spreadsheets save it, or Windows-1252: a German Excel's "CSV (Trennzeichen-
    getrennt)". A file with NUL bytes is no text at all."""
    raw = path.read_bytes()
    if b"\0" in raw:
        raise FileProblem(say("file: {name} is not a text file", name=path.name))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        raise FileProblem(say("file: {name} is neither UTF-8 nor Windows-1252 text", name=path.name)) from None


def check(path: Path, today: date) -> Checked:
    header, data = read_table(path)
    names = [GERMAN_COLUMNS.get(c, c) for c in header]
    result = Checked()
    known = set(ImportRow.model_fields)
    for column, name in zip(header, names, strict=True):
        if name and name not in known:
            result.problems.append(Problem(1, column, say("unknown column (see models/import_rows.py for the set)")))
    required = {n for n, f in ImportRow.model_fields.items() if f.is_required()}
    for name in sorted(required - set(names)):
        result.problems.append(Problem(1, f"{name} / {GERMAN_FOR[name]}", say("required column missing")))
    if result.problems:
        return result
    shown = dict(zip(names, header, strict=True))
    seen: dict[tuple[str, str], int] = {}
    cases_first: dict[str, tuple[int, ImportRow]] = {}
    for number, cells in enumerate(data, start=2):
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
        values = {n: _cell(c, n in DATE_COLUMNS) for n, c in zip(names, cells, strict=False) if n}
        values = {n: v for n, v in values.items() if v is not None}
        try:
            row = ImportRow.model_validate(values)
        except ValidationError as err:
            for e in err.errors():
                why = reason(e)
                name = str(e["loc"][0]) if e["loc"] else why.english().split(":")[0]
                result.problems.append(Problem(number, shown.get(name, name), why))
            continue
        found = [(n, why) for n, why in row.chronology_findings(today)]
        found += [(f.english().split(": ", 1)[0], f) for f in refusals(row)]
        if row.candidate_ref and (refused := programmes.refusal(row.origin_programme, row.candidate_ref)):
            found.append(("candidate_ref", refused))
        if row.key in seen:
            found.append(("candidate_ref", say("the same case_ref and candidate_ref as row {row}", row=seen[row.key])))
        seen.setdefault(row.key, number)
        first = cases_first.setdefault(row.case_ref, (number, row))
        found += [
            (name, say("differs from row {row}, which opened case {case_ref}", row=first[0], case_ref=row.case_ref))
            for name in CASE_COLUMNS
            if getattr(row, name) != getattr(first[1], name)
        ]
        if found:
            result.problems += [Problem(number, shown.get(name, name), why) for name, why in found]
        else:
            result.rows.append((number, row))
    # A row may end a case without candidates; a case with candidates ends with its journeys.
    with_candidates = {r.case_ref for _, r in result.rows if r.candidate_ref}
    for number, row in list(result.rows):
        if row.case_end()[0] is not None and row.case_ref in with_candidates:
            why = say("case {case_ref} has candidates: the ends in their rows end it", case_ref=row.case_ref)
            result.problems.append(Problem(number, shown.get("ended_on", "ended_on"), why))
            result.rows.remove((number, row))
    return result


def _cell(value: Any, is_date: bool) -> Any:
    if isinstance(value, datetime):
        return value.date()  # XLSX dates arrive as datetimes
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        if is_date:
            try:  # German dates as spreadsheets write them; ISO dates pass as they are
                return datetime.strptime(value, "%d.%m.%Y").date()
            except ValueError:
                pass
    return value


def imported_case_id(case_ref: str) -> str:
    """The case id a case_ref is imported as: the same on every import (idempotent), opaque
    (a hash: the spreadsheet's number is not readable from it)."""
    digest = int.from_bytes(hashlib.sha256(f"import:{case_ref.strip().upper()}".encode()).digest()[:8], "big")
    return "WC-" + "".join(CASE_ID_ALPHABET[(digest >> (5 * i)) & 31] for i in range(10))


def cases(checked: Checked, file_name: str, advisor: str) -> list[NewCase]:
    """One start input per case_ref, its rows' candidates as imported journeys."""
    grouped: dict[str, list[tuple[int, ImportRow]]] = {}
    for number, row in checked.rows:
        grouped.setdefault(row.case_ref, []).append((number, row))
    result = []
    for case_ref, rows in grouped.items():
        first = rows[0][1]
        journeys = [j for number, row in rows if (j := row.journey(number)) is not None]
        # A case_ref's row without a candidate may end the case (when it has no journeys).
        ended_on, code = next(
            ((e, c) for _, row in rows if (e := row.case_end()[0]) and (c := row.case_end()[1])), (None, None)
        )
        if journeys:
            ended_on, code = None, None
        result.append(
            NewCase(
                case_id=imported_case_id(case_ref),
                advisor=first.advisor or advisor,
                employer=Employer(name=first.employer_name),
                occupation=first.occupation,
                positions=max(1, len(journeys)),
                route=first.route,
                procedure=first.procedure,
                origin_programme=first.origin_programme,
                imported=ImportedCase(
                    case_ref=case_ref,
                    file=file_name,
                    rows=[number for number, _ in rows],
                    by=advisor,
                    advised_on=first.advised_on,
                    journeys=journeys,
                    ended_on=ended_on,
                    end_reason_code=code,
                ),
            )
        )
    return result
