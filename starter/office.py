"""The starter's office commands: the occupation list, the import of past cases, an
advisor's digest and calendar, the figures."""

from __future__ import annotations

import argparse
import re
from typing import Any, TextIO

from temporalio.common import WorkflowIDConflictPolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from core.config import Settings
from models import clock, occupations, staff
from models.said import say
from starter.cases import start_case
from starter.inputs import EXIT_BAD_INPUT, ClientFactory, InputError, parse_day, print_json


async def occupations_command(
    args: argparse.Namespace, get_client: ClientFactory, settings: Settings, out: TextIO
) -> int:
    listed = occupations.load_occupations(settings.occupations_file)
    rows = [{"code": code, "kldb": o.kldb, "name": o.name} for code, o in listed.occupations.items()]
    if args.json:
        print_json(out, {"source": listed.source, "verified": listed.verified, "occupations": rows})
        return 0
    width = max(len(r["code"]) for r in rows)
    for r in rows:
        out.write(f"{r['code']:<{width}}  KldB {r['kldb']}  {r['name']}\n")
    checked = "" if listed.verified else " (KldB codes not yet verified)"
    out.write(f"\nSource: {listed.source}{checked}; list: {settings.occupations_file}\n")
    return 0


async def import_command(args: argparse.Namespace, get_client: ClientFactory, settings: Settings, out: TextIO) -> int:
    from core.i18n import Text
    from starter import importing

    t = Text(settings.language)
    advisor = None if args.dry_run else _staff_handle(args.advisor)
    try:
        checked = importing.check(args.file, clock.today())
    except importing.FileProblem as e:
        raise InputError(e.said) from None
    except (OSError, ValueError) as e:
        raise InputError(say("file: {why}", why=str(e).removeprefix("file: "))) from None
    rows = [row for _, row in checked.rows]
    figures: dict[str, Any] = {
        "rows": len(rows),
        "cases": len({r.case_ref for r in rows}),
        "journeys": sum(1 for r in rows if r.candidate_ref),
        "placed": sum(1 for r in rows if r.probation_passed_on),
        "problems": [p.render(t.said) for p in checked.problems],
    }
    if checked.problems or args.dry_run:
        if args.json:
            print_json(out, figures)
        else:
            for problem in checked.problems:
                out.write(f"{problem.render(t.said)}\n")
            out.write(
                t(
                    "{rows} row(s) valid: {cases} case(s), {journeys} journey(s), {placed} placed; {n} problem(s)",
                    **{k: figures[k] for k in ("rows", "cases", "journeys", "placed")},
                    n=len(checked.problems),
                )
                + (t("; nothing imported") if checked.problems else "")
                + "\n"
            )
        return EXIT_BAD_INPUT if checked.problems else 0
    assert advisor is not None
    client = await get_client()
    started, unchanged = [], []
    for new_case in importing.cases(checked, args.file.name, advisor):
        try:  # an id that exists (running or ended) was imported before: left as it is
            await start_case(client, new_case, settings.task_queue, if_running=WorkflowIDConflictPolicy.FAIL)
            started.append(new_case.case_id)
        except WorkflowAlreadyStartedError:
            unchanged.append(new_case.case_id)
    figures |= {"imported": started, "already_imported": unchanged}
    if args.json:
        print_json(out, figures)
    else:
        out.write(
            t(
                "{imported} case(s) imported, {unchanged} already imported (left as they are); "
                "{journeys} journey(s) in the file, {placed} placed",
                imported=len(started),
                unchanged=len(unchanged),
                journeys=figures["journeys"],
                placed=figures["placed"],
            )
            + "\n"
            + t("see them with: {commands}", commands="bin/starter list --open, bin/starter report")
            + "\n"
        )
    return 0


def _staff_handle(given: str | None) -> str:
    if not given:
        raise InputError(say("advisor: missing (give --advisor or set WC_ADVISOR)"))
    handle = given.strip()
    if not re.fullmatch(r"[a-z][a-z0-9._-]{1,40}", handle):
        raise InputError(say("advisor: a staff handle such as m.koch"))
    if reason := staff.refusal(handle, frozenset(staff.Role)):
        raise InputError(reason)
    return handle


async def digest_command(args: argparse.Namespace, get_client: ClientFactory, settings: Settings, out: TextIO) -> int:
    from activities.digest import collect, render
    from core.i18n import Text
    from records.database import create_records_engine, migrate

    handle = _staff_handle(args.advisor)
    role = staff.role_of(handle)
    engine = create_records_engine(settings.database_url)
    try:
        migrate(engine)  # an empty records database lists no permits instead of failing
        as_role = role.value if role else "advisor"
        digest = await collect(await get_client(), settings, handle, as_role, clock.today(), engine)
    finally:
        engine.dispose()
    t = Text(settings.language)
    if args.json:
        data = digest.model_dump(mode="json")
        for section in ("overdue", "due_soon", "quiet", "escalated", "renewals"):
            for item, shown in zip(getattr(digest, section), data[section], strict=True):
                shown["what"] = t.said(item.what)  # as the email says it
        print_json(out, data)
    else:
        out.write(render(digest, t)[1])
    return 0


async def calendar_command(args: argparse.Namespace, get_client: ClientFactory, settings: Settings, out: TextIO) -> int:
    from starter.calendar import calendar_for, stop_subscription, subscription_url

    advisor = _staff_handle(args.advisor)
    if args.subscription_url or args.stop_subscription:
        from records.database import create_records_engine, migrate

        engine = create_records_engine(settings.database_url)
        try:
            migrate(engine)
            if args.stop_subscription:
                from core.i18n import Text

                t = Text(settings.language)
                out.write(t("Calendar addresses stopped: {n}", n=stop_subscription(engine, advisor)) + "\n")
            else:
                out.write(subscription_url(settings, engine, advisor) + "\n")
        finally:
            engine.dispose()
        return 0
    out.write((await calendar_for(await get_client(), settings, advisor)).decode())
    return 0


async def report_command(args: argparse.Namespace, get_client: ClientFactory, settings: Settings, out: TextIO) -> int:
    from core.i18n import Text
    from records.database import create_records_engine, migrate
    from records.report import build_report
    from starter.report_output import render_html, render_table

    # Figures come from the SQL records, not from Temporal: no connection needed.
    as_of, since = (parse_day(name, getattr(args, name)) for name in ("as_of", "since"))
    engine = create_records_engine(settings.database_url)
    try:
        migrate(engine)  # an empty records database reports zeros instead of failing
        report = build_report(engine, as_of, since)
    finally:
        engine.dispose()
    if args.chart:
        args.chart.write_text(render_html(report), encoding="utf-8")
    if args.json:
        print_json(out, report.model_dump(mode="json"))
    else:
        out.write(render_table(report, Text(settings.language)))
        if args.chart:
            out.write(f"\nChart: {args.chart}\n")
    return 0
