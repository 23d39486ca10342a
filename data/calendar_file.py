"""Calendar CSV files: holidays and 调休 days, or school terms (two kinds of file).

Days file: columns ``date,kind,name`` (or 日期,类型,名称); kind ``holiday`` / ``workday``
or 节假日 (放假, 假日, 休) / 调休上班 (上班, 班). Terms file: columns
``name,starts,ends,school_code`` (or 学期名称,开始日期,结束日期,学校代码); school_code
blank = every school of the county. Which file it is comes from its header. UTF-8 (with or
without BOM) or GBK. Dates as 2026-10-01 or 2026/10/1. Rows are numbered as lines of the
file (the header is line 1). Any bad row refuses the whole file (ImportRefused naming
every row and field); nothing is written.
"""
from __future__ import annotations

import csv
import io
import re
from datetime import date

from geo.school_calendar import KINDS, check_day, check_term
from layers.errors import ImportRefused

DAY_HEADERS = {"date": ("date", "日期", "day"), "kind": ("kind", "类型", "类别"), "name": ("name", "名称", "说明")}
TERM_HEADERS = {"name": ("name", "学期名称", "学期", "名称"), "starts": ("starts", "开始日期", "开始"),
                "ends": ("ends", "结束日期", "结束"), "school_code": ("school_code", "学校代码", "学校编码")}
KIND_VALUES = {"holiday": "holiday", "节假日": "holiday", "放假": "holiday", "假日": "holiday", "休": "holiday",
               "workday": "workday", "调休上班": "workday", "调休": "workday", "上班": "workday", "班": "workday"}
DATE_RE = re.compile(r"^\s*([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})\s*$")
MAX_ROWS = 5000
DAY_COLUMNS = ("date", "kind", "name")
TERM_COLUMNS = ("name", "starts", "ends", "school_code")


def decode(raw: bytes) -> str:
    """The file's text: UTF-8 (BOM or not), else GB18030."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        raise ImportRefused("文件应为 UTF-8 或 GBK 编码的 CSV 文本") from None


def parse_date(text: str) -> date:
    match = DATE_RE.match(text or "")
    if not match:
        raise ValueError(f"应为日期（如 2026-10-01），而不是 '{text}'")
    try:
        day = date(*(int(g) for g in match.groups()))
    except ValueError:
        raise ValueError(f"不是有效日期：'{text}'") from None
    check_day(day)
    return day


def _columns(header: list[str], names: dict) -> dict:
    """{field: column index} for the header's recognised columns."""
    clean = [h.strip().lstrip("\ufeff").lower().replace("*", "") for h in header]
    found = {}
    for key, aliases in names.items():
        for i, h in enumerate(clean):
            if h in aliases and key not in found and i not in found.values():
                found[key] = i
    return found


def parse(raw: bytes | str) -> dict:
    """{'kind': 'days'|'terms', 'rows': [...]} from a calendar CSV; ImportRefused listing
    every bad row and field."""
    text = decode(raw) if isinstance(raw, bytes) else raw
    try:
        lines = list(csv.reader(io.StringIO(text, newline=None)))
    except csv.Error as err:
        raise ImportRefused(f"不是可读的 CSV 文件：{err}") from None
    lines = [(n, row) for n, row in enumerate(lines, start=1) if any(c.strip() for c in row)]
    if not lines:
        raise ImportRefused("文件为空：应有表头 date,kind,name 或 name,starts,ends,school_code")
    (_, header), body = lines[0], lines[1:]
    terms = _columns(header, TERM_HEADERS)
    if {"starts", "ends", "name"} <= set(terms):
        kind, cols, read = "terms", terms, _term_row
    else:
        cols = _columns(header, DAY_HEADERS)
        missing = [k for k in ("date", "kind") if k not in cols]
        if missing:
            raise ImportRefused(f"第 1 行（表头）缺少列：{'、'.join(missing)}"
                                "（节假日文件为 date,kind,name 或 日期,类型,名称；学期文件为 name,starts,ends,school_code）")
        kind, read = "days", _day_row
    if len(body) > MAX_ROWS:
        raise ImportRefused(f"行数过多：{len(body)} 行，最多 {MAX_ROWS} 行")
    rows, problems, report = [], [], []
    for n, row in body:
        cells = {k: (row[i].strip() if i < len(row) else "") for k, i in cols.items()}
        try:
            rows.append(read(cells))
        except _Bad as bad:
            problems.append(f"第 {n} 行 字段 {bad.field}：{bad}")
            report.append({"row": n, "code": None, "column": bad.field, "value": cells.get(bad.field), "what": str(bad)})
    _duplicates(kind, body, rows, problems, report)
    if problems:
        raise ImportRefused(problems, report)
    return {"kind": kind, "rows": rows}


class _Bad(ValueError):
    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name


def _field(cells: dict, key: str, convert):
    try:
        return convert(cells.get(key, ""))
    except ValueError as err:
        raise _Bad(key, str(err)) from None


def _kind(text: str) -> str:
    value = KIND_VALUES.get(text.strip().lower())
    if value is None:
        raise ValueError(f"应为 holiday/节假日 或 workday/调休上班，而不是 '{text}'")
    return value


def _name(text: str, required: bool = False) -> str:
    if required and not text.strip():
        raise ValueError("不能为空")
    if len(text) > 100 or any(ord(c) < 32 for c in text):
        raise ValueError("应为 100 字以内、不含控制字符")
    return text.strip()


def _day_row(cells: dict) -> dict:
    return {"date": _field(cells, "date", parse_date), "kind": _field(cells, "kind", _kind),
            "name": _field(cells, "name", _name)}


def _term_row(cells: dict) -> dict:
    row = {"name": _field(cells, "name", lambda t: _name(t, True)),
           "starts": _field(cells, "starts", parse_date), "ends": _field(cells, "ends", parse_date),
           "school_code": _field(cells, "school_code", _name) or None}
    try:
        check_term(row["starts"], row["ends"])
    except ValueError as err:
        raise _Bad("ends", str(err)) from None
    return row


def _duplicates(kind: str, body, rows, problems, report) -> None:
    if problems:
        return
    seen = {}
    for (n, _), row in zip(body, rows):
        key = row["date"] if kind == "days" else (row["name"], row["school_code"])
        if key in seen:
            field_name = "date" if kind == "days" else "name"
            problems.append(f"第 {n} 行 字段 {field_name}：与第 {seen[key]} 行重复")
            report.append({"row": n, "code": None, "column": field_name, "value": str(key), "what": "重复"})
        seen.setdefault(key, n)


def write_days(rows) -> str:
    """A days file (date,kind,name) of ``rows`` {date|day, kind, name}."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(DAY_COLUMNS)
    for r in rows:
        w.writerow([(r.get("date") or r.get("day")).isoformat(), r["kind"], r.get("name") or ""])
    return out.getvalue()


def write_terms(rows) -> str:
    """A terms file (name,starts,ends,school_code) of ``rows``."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(TERM_COLUMNS)
    for r in rows:
        w.writerow([r["name"], r["starts"].isoformat(), r["ends"].isoformat(), r.get("school_code") or ""])
    return out.getvalue()


def kind_label(kind: str) -> str:
    return KINDS.get(kind, kind)
