"""The week's call plan and the anonymised export of opinion calls (issue 16, items 1 and 6).

Plan: the week needs ``required × 7`` calls; they are shared among townships in proportion
to population, then within each township among its villages in proportion to population
(both by largest remainder, so the shares add up exactly); villages called least this
quarter come first. Export: date only (no time), village and township, scores, answers;
never the phone hash nor the caller; free text only when ``with_text``.
"""
from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date, timedelta

from geo import survey as rules
from geo.calendar import day_start
from layers import survey as store
from web.services import County
from web.services.exports import table_xlsx

PLAN_HEAD = ["乡镇", "乡镇编码", "行政村", "村编码", "人口", "本周建议拨打", "本季度已拨打"]


def plan(conn, county_code: str, monday: date) -> dict:
    """The week from ``monday``: quota per township and the suggested calls per village."""
    required = store.required_daily(conn, county_code)
    total = required * 7
    villages = store.villages(conn, county_code)
    quarter_start = day_start(rules.quarter_start(monday))
    called = store.village_calls(conn, county_code, quarter_start, day_start(monday))
    week = store.village_calls(conn, county_code, day_start(monday), day_start(monday + timedelta(days=7)))
    by_town: dict[str, list[dict]] = defaultdict(list)
    for v in villages:
        by_town[v["township_code"] or ""].append(v)
    town_quota = rules.largest_remainder(total, {t: sum(v["population"] for v in vs) for t, vs in by_town.items()})
    towns, rows = [], []
    for code, members in sorted(by_town.items()):
        shares = rules.largest_remainder(town_quota[code], {v["code"]: v["population"] for v in members})
        made = sum(week.get(v["code"], 0) for v in members)
        towns.append({"code": code, "name": members[0]["township_name"] or "（未归属乡镇）",
                      "population": sum(v["population"] for v in members), "quota": town_quota[code], "made": made})
        ranked = sorted(members, key=lambda v: (called.get(v["code"], 0), -v["population"], v["code"]))
        rows.extend({**v, "township_name": v["township_name"] or "", "quota": shares[v["code"]],
                     "quarter_calls": called.get(v["code"], 0)} for v in ranked if shares[v["code"]] > 0)
    return {"week": rules.week_of(monday), "start": monday.isoformat(),
            "end": (monday + timedelta(days=6)).isoformat(), "required": required, "total": total,
            "townships": towns, "villages": rows}


def plan_table(p: dict) -> list[list]:
    """The plan's village rows for CSV and XLSX."""
    return [[v["township_name"], v["township_code"] or "", v["name"], v["code"], v["population"], v["quota"],
             v["quarter_calls"]] for v in p["villages"]]


def _cell(value):
    """Text that spreadsheet programs will not run as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_text(head: list[str], rows: list[list]) -> str:
    """CSV with a BOM (Excel reads it as UTF-8); text cells never formulas."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(head)
    writer.writerows([[_cell(v) for v in row] for row in rows])
    return "\ufeff" + buf.getvalue()


def xlsx(title: str, caption: str, head: list[str], rows: list[list]) -> bytes:
    """A one-sheet workbook of ``rows``."""
    return table_xlsx(title, caption, head, [[_cell(v) for v in row] for row in rows])


def _answer_text(value) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else str(value)


def export_table(conn, county_code: str, start: date, end: date, township: str | None,
                 with_text: bool) -> tuple[list[str], list[list]]:
    """(head, rows) of the anonymised calls of local days [start, end), oldest first."""
    questions = store.questions(conn, county_code, active_only=False)
    rows = store.listing(conn, county_code, day_start(start), day_start(end), township, limit=None)
    head = ["日期", "乡镇编码", "乡镇", "村编码", "行政村", "安全感", "满意度"] + [q["text"] for q in questions]
    if with_text:
        head.append("反映的问题")
    out = []
    for r in reversed(rows):
        row = [r["day"].isoformat(), r["township_code"] or "", r["township_name"] or "", r["village_code"],
               r["village_name"] or "", r["safety"], r["satisfaction"]]
        row += [_answer_text(r["answers"].get(q["key"])) for q in questions]
        if with_text:
            row.append(r["problems"])
        out.append(row)
    return head, out


def caption(county: County, what: str, start: date, end: date) -> str:
    """A workbook's caption: the county, what, the days."""
    return f"{county.name}{what}（{start.isoformat()} 至 {(end - timedelta(days=1)).isoformat()}）"
