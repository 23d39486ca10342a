"""The cameras as a list beside the map (issue 12): one page of rows for people, with
numbers rounded for them (朝向 181°, 可视 1.2 km), and every matching camera as CSV or XLSX."""
from __future__ import annotations

import csv
import io

from layers import camera_list
from layers.catalog import VALUE_LABELS
from web.numbers import degrees, distance
from web.services import County
from web.services.exports import table_xlsx

PAGE_SIZE = 100
EXPORT_MAX = 100_000
HEAD = ["编码", "名称", "类型", "状态", "联网", "朝向", "视场角", "可视距离", "安装日期", "乡镇", "村", "经度", "纬度",
        "状态变更时间"]


def for_people(row: dict) -> dict:
    """A row with labels and rounded numbers for the page and the exports."""
    return {**row, "kind_label": VALUE_LABELS.get(row["kind"], row["kind"]),
            "status_label": VALUE_LABELS.get(row["status"], row["status"]),
            "networked_label": "是" if row["networked"] else "否", "azimuth_text": degrees(row["azimuth"]),
            "fov_text": degrees(row["fov"], bearing=False), "range_text": distance(row["range_m"]),
            "changed_text": (row["changed_at"] or "")[:16].replace("T", " ")}


def page(conn, county_code: str, q) -> dict:
    """One page of the list: {total, page, pages, rows}."""
    total, rows = camera_list.cameras(conn, county_code, q.filters(), q.sort, q.order == "desc",
                                      PAGE_SIZE, (q.page - 1) * PAGE_SIZE)
    return {"total": total, "page": q.page, "pages": max(1, -(-total // PAGE_SIZE)),
            "page_size": PAGE_SIZE, "rows": [for_people(r) for r in rows]}


def _table(conn, county_code: str, q) -> list[list]:
    _, rows = camera_list.cameras(conn, county_code, q.filters(), q.sort, q.order == "desc", EXPORT_MAX, 0)
    out = []
    for r in map(for_people, rows):
        out.append([r["code"], r["name"], r["kind_label"], r["status_label"], r["networked_label"], r["azimuth_text"],
                    r["fov_text"], r["range_text"], r["installed_on"] or "", r["township_name"] or "",
                    r["village_name"] or "", round(r["lon"], 6), round(r["lat"], 6), r["changed_text"]])
    return out


def csv_text(conn, county_code: str, q) -> str:
    """Every matching camera as CSV with a BOM (Excel reads it as UTF-8)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEAD)
    writer.writerows(_table(conn, county_code, q))
    return "\ufeff" + buf.getvalue()


def xlsx(conn, county_code: str, county: County, q, today: str) -> bytes:
    """Every matching camera as a workbook."""
    return table_xlsx("摄像机", f"{county.name}摄像机清单（{today}）", HEAD, _table(conn, county_code, q))
