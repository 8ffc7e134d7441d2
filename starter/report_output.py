"""The report as a table for the terminal and as a self-contained HTML page with charts."""

from __future__ import annotations

import html

from core.i18n import Text
from models import occupations
from records.report import Report


def render_table(r: Report, t: Text | None = None) -> str:
    t = t or Text("en")  # the source texts
    year = t("(last 12 months: {n})", n=r.cases_opened_last_12_months)
    placed_year = t("(last 12 months: {n})", n=r.people_placed_last_12_months)
    figures: list[tuple[str, int | None, str]] = [
        (t("Cases opened"), r.cases_opened, year),
        (t("Cases open now"), r.cases_open, ""),
        (t("Companies advised"), r.companies_advised, ""),
        (t("Candidates selected"), r.candidates_selected, t("({n} different people)", n=r.people_selected)),
        (t("People placed"), r.people_placed, placed_year),
    ]
    if r.placed_since is not None:
        figures.append(("  " + t("of them since {day}", day=t.date(r.placed_since)), r.people_placed_since, ""))
    figures.append((t("Overdue now"), r.overdue_now, ""))
    lines = [t("Welcome Center figures as of {day}", day=t.date(r.as_of)), ""]
    lines += [f"  {label:<28} {value:>6}   {extra}".rstrip() for label, value, extra in figures]
    placed, selected = t("placed"), t("selected")
    for title, placed_by, selected_by, shown in (
        (t("By origin country"), r.placed_by_origin_country, r.candidates_by_origin_country, str),
        (t("By occupation"), r.placed_by_occupation, r.candidates_by_occupation, occupations.label),
        (t("By residence route"), r.placed_by_route, r.candidates_by_route, str),
    ):
        lines += ["", f"  {title:<32} {placed:>7} {selected:>9}"]
        for key, n in selected_by.items():
            lines.append(f"  {shown(key):<32} {placed_by.get(key, 0):>7} {n:>9}")
    median, days, visits = t("Median days per stage"), t("days"), t("visits")
    lines += ["", f"  {median:<32} {days:>7} {visits:>9}"]
    for s in r.median_days_per_stage:
        lines.append(f"  {s.stage:<32} {s.median_days:>7} {s.visits:>9}")
    return "\n".join(lines) + "\n"


def bars(title: str, data: dict[str, float], unit: str) -> str:
    """A horizontal bar chart as inline SVG: no script, no external file."""
    if not data:
        return f"<h2>{html.escape(title)}</h2><p>No data yet.</p>"
    width, bar_height, label_width = 640, 22, 220
    top = max(data.values()) or 1
    rows = []
    for i, (label, value) in enumerate(data.items()):
        y = i * (bar_height + 6)
        length = (width - label_width - 110) * value / top  # room for the value label
        rows.append(
            f'<text x="{label_width - 8}" y="{y + 16}" text-anchor="end">{html.escape(str(label))}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" fill="#1f6f8b"/>'
            f'<text x="{label_width + length + 6:.1f}" y="{y + 16}">{value:g} {html.escape(unit)}</text>'
        )
    height = len(data) * (bar_height + 6)
    return (
        f"<h2>{html.escape(title)}</h2>"
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="13" role="img" aria-label="{html.escape(title)}">'
        + "".join(rows)
        + "</svg>"
    )


def render_html(r: Report) -> str:
    figures = [
        ("Cases opened", f"{r.cases_opened} ({r.cases_opened_last_12_months} in the last 12 months)"),
        ("Companies advised", str(r.companies_advised)),
        ("Candidates selected", f"{r.candidates_selected} ({r.people_selected} different people)"),
        ("People placed", f"{r.people_placed} ({r.people_placed_last_12_months} in the last 12 months)"),
        ("Overdue now", str(r.overdue_now)),
    ]
    table = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in figures)
    stages = {s.stage: s.median_days for s in r.median_days_per_stage}
    by_occupation: dict[str, float] = {occupations.label(k, long=True): n for k, n in r.placed_by_occupation.items()}
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Welcome Center figures {r.as_of}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:60em}} th{{text-align:left;padding-right:2em}}</style>
</head><body>
<h1>Welcome Center Region Hannover: figures as of {r.as_of}</h1>
<table>{table}</table>
{bars("People placed by origin country", dict(r.placed_by_origin_country), "people")}
{bars("People placed by occupation", by_occupation, "people")}
{bars("Candidates selected by origin country", dict(r.candidates_by_origin_country), "people")}
{bars("Median days per stage", stages, "days")}
<p>From the case records of the Welcome Center's case tracking.</p>
</body></html>
"""
