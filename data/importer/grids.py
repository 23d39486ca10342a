"""After a grid file is written (inside the import's savepoint): check the grids against
their villages and each other, then settle townships and grid members.

Rules (``layers.grids``): a grid lies within its village — at least 95% of its area inside
the village it names (所属村) or, when the file names none, the village its inner point
falls in — and shares at most 5% of the smaller grid's area with any other grid. Every grid
breaking a rule is named (code and name) with the share found; the file is then refused and
nothing is written. A grid's 网格员 (member) becomes its grid_member post.
"""
from __future__ import annotations

import logging

from layers import grids as store

LOGGER = logging.getLogger(__name__)


def _pct(share) -> str:
    return f"{share * 100:.1f}%"


def check(conn, county_code: str, problems) -> bool:
    """Add a problem for each grid outside its village or overlapping another; True when
    there were none."""
    ok = True
    for code, name, village, inside in store.outside_grids(conn, county_code):
        ok = False
        if village is None:
            what = "不在任何行政村内，也没有填写所属村 (lies in no village and names none)"
        elif inside is None:
            what = f"所属村 '{village}' 不存在 (no such village)"
        else:
            what = (f"只有 {_pct(inside)} 的面积在所属村 {village} 内，至少应为 {_pct(store.INSIDE_MIN)} "
                    f"(only {_pct(inside)} of its area inside its village)")
        problems.file(f"网格 {code}（{name}）: {what}", rank=1)
    for code, name, other, other_name, share in store.overlapping_grids(conn, county_code):
        ok = False
        problems.file(f"网格 {code}（{name}）与网格 {other}（{other_name}）重叠 {_pct(share)}，"
                      f"最多允许 {_pct(store.OVERLAP_MAX)} (grids overlap by {_pct(share)} of the smaller)", rank=1)
    return ok


def after_write(conn, county_code: str, problems, actor: str | None) -> bool:
    """Check the county's grids; when they pass, settle townships and members. Returns
    whether they passed (the caller rolls the write back otherwise)."""
    if not check(conn, county_code, problems):
        return False
    changed = store.settle(conn, county_code, actor or "import")
    LOGGER.info("grids: %d grid member posts set from the file", changed)
    return True


# The posts file (village_staff): its headers, and its roles as people write them.
STAFF_HEADERS = {"village_code": ("村编码", "所属村", "行政村编码", "village_code"),
                 "grid_code": ("网格编码", "网格编号", "grid_code"), "role": ("岗位", "职务", "角色", "role"),
                 "name": ("姓名", "name"), "phone": ("联系电话", "电话", "手机号", "phone"),
                 "since": ("任职日期", "到岗日期", "since")}
ROLE_WORDS = {"网格员": "grid_member", "驻村民警": "police", "民警": "police", "社区民警": "police",
              "法律顾问": "legal_adviser", "grid_member": "grid_member", "police": "police",
              "legal_adviser": "legal_adviser"}


def import_staff(conn, path, county_code: str, actor: str) -> int:
    """Import posts from a CSV (UTF-8 or GBK) or XLSX file: 村编码, 网格编码 (optional),
    岗位 (网格员/驻村民警/法律顾问), 姓名, 联系电话 (optional), 任职日期 (optional). All or
    nothing: ImportRefused naming every bad row (its number as a spreadsheet shows it, the
    column, what is wrong). Returns the posts set. Does not commit."""
    import pandas as pd

    from layers.errors import ImportRefused

    path = str(path)
    if path.lower().endswith(".xlsx"):
        frame = pd.read_excel(path, dtype=str)
    else:
        try:
            frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
        except UnicodeDecodeError:
            frame = pd.read_csv(path, dtype=str, encoding="gb18030")
    wanted = {h: col for col, heads in STAFF_HEADERS.items() for h in heads}
    frame = frame.rename(columns={c: wanted.get(str(c).strip(), c) for c in frame.columns})
    problems = [f"缺少列 {STAFF_HEADERS[c][0]} (missing column {c})" for c in ("village_code", "role", "name")
                if c not in frame.columns]
    if problems:
        raise ImportRefused(problems)
    posts = []
    for i, row in enumerate(frame.to_dict("records"), start=2):
        value = {k: (None if pd.isna(row.get(k)) or not str(row.get(k)).strip() else str(row.get(k)).strip())
                 for k in STAFF_HEADERS}
        role = ROLE_WORDS.get(value["role"] or "")
        village = value["village_code"]
        if role is None:
            problems.append(f"第 {i} 行 列 岗位: '{value['role']}' 应为 网格员、驻村民警 或 法律顾问")
        elif village is None or not store.village_exists(conn, county_code, village):
            problems.append(f"第 {i} 行 列 村编码: 没有编码为 '{village}' 的村")
        elif value["grid_code"] is not None and store.grid_village(conn, county_code, value["grid_code"]) != village:
            problems.append(f"第 {i} 行 列 网格编码: 村 {village} 没有网格 '{value['grid_code']}'")
        elif role == "grid_member" and value["grid_code"] is None:
            problems.append(f"第 {i} 行 列 网格编码: 网格员须填写网格编码")
        elif value["name"] is None or len(value["name"]) > 100:
            problems.append(f"第 {i} 行 列 姓名: 应为 1 至 100 个字")
        else:
            since = pd.to_datetime(value["since"], errors="coerce") if value["since"] else None
            if value["since"] and pd.isna(since):
                problems.append(f"第 {i} 行 列 任职日期: 不是有效日期 '{value['since']}'")
                continue
            posts.append((village, value["grid_code"], role, value["name"], value["phone"],
                          since.date() if since is not None else None))
    if problems:
        raise ImportRefused(problems)
    for village, grid, role, name, phone, since in posts:
        store.set_post(conn, county_code, village, grid, role, name, phone, since, actor)
    return len(posts)
