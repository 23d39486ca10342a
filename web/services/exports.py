"""Files for the county's meetings and notices: XLSX, CSV, charts, GeoPackage, GeoJSON."""
from __future__ import annotations

import csv
import io
import tempfile
from datetime import date
from pathlib import Path

import geopandas as gpd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from geo.remediation import curve, milestones
from layers import hotspots as hotspot_layer
from layers.catalog import VALUE_LABELS
from layers.errors import FeatureNotFound
from web.services import County
from web.services import remediation as rem
from web.services.charts import burnup_chart

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AREA_FORMATS = {"gpkg": ("GPKG", "application/geopackage+sqlite3"),
                "geojson": ("GeoJSON", "application/geo+json")}


def _append(ws, row: list) -> None:
    """One row of cells; text is written as text: characters a workbook cannot hold are
    dropped, and a note starting with = is not taken for a formula."""
    ws.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str) and cell.data_type == "f":
            cell.data_type = "s"


def _xlsx(title: str, caption: str, head: list[str], rows: list[list], percent_cols=()) -> bytes:
    return _bytes(_workbook(title, caption, head, rows, percent_cols))


def _bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _workbook(title: str, caption: str, head: list[str], rows: list[list], percent_cols=()) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    _append(ws, [caption])
    _append(ws, head)
    for row in rows:
        _append(ws, row)
    for col in percent_cols:
        for cells in ws.iter_rows(min_row=3, min_col=col, max_col=col):
            for cell in cells:
                cell.number_format = "0.0%"
    return wb


def remediation_csv(report: dict) -> str:
    """The township table as CSV text with a BOM (so that Excel reads it as UTF-8)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(rem.TABLE_HEAD)
    writer.writerows(rem.table_rows(report))
    return "\ufeff" + buf.getvalue()


EXCEPTION_HEAD = ["村编码", "村", "乡镇", "确认日期", "确认人", "例外说明", "当时未达标的情况"]


def remediation_xlsx(report: dict, county: County, as_of: date, excepted: list[dict] = ()) -> bytes:
    """The township table as XLSX, shares formatted as percentages; a second sheet lists
    the villages confirmed on an exception to the R2 criteria (``excepted`` rows of
    rem.village_rows)."""
    wb = _workbook("偏远村整治进度", f"{county.name}偏远村整治进度（统计日 {as_of}）", rem.TABLE_HEAD,
                   rem.table_rows(report), percent_cols=(6, 7))
    ws = wb.create_sheet("按例外认定的村")
    _append(ws, [f"{county.name}按例外认定已整治的偏远村（统计日 {as_of}，共 {len(excepted)} 个）"])
    _append(ws, EXCEPTION_HEAD)
    for r in excepted:
        _append(ws, [r["code"], r["name"], r["township_name"], r["confirmed_on"], r["confirmed_by"],
                   r["exception_note"], "；".join(r["exception_reasons"])])
    return _bytes(wb)


def remediation_chart(conn, county: County, as_of: date, fmt: str) -> bytes:
    """The burn-up chart (remediated share against the plan) as SVG or PNG."""
    report = rem.progress_report(conn, county, as_of)
    year = report["plan_year"]
    return burnup_chart(rem.series(conn, county, as_of, report["county"]["remote"]), curve(year),
                        milestones(year), as_of, f"{county.name}偏远村整治进度（{year}年）", fmt)


HOTSPOT_HEAD = ["编码", "名称", "级别", "乡镇", "责任单位", "整治期限", "状态", "延续自"]


def published_hotspots(conn, county_code: str, quarter: str) -> gpd.GeoDataFrame:
    """The quarter's list in force as a GeoDataFrame (EPSG:4326); FeatureNotFound when none."""
    features = hotspot_layer.listed(conn, county_code, quarter)
    if not features:
        raise FeatureNotFound(f"{quarter} 没有已发布的乱点清单")
    return gpd.GeoDataFrame.from_features(features, crs="EPSG:4326")


def hotspots_xlsx(frame: gpd.GeoDataFrame, county: County, quarter: str) -> bytes:
    """The quarter's published list as XLSX, values in Chinese."""
    rows = [[r["code"], r["name"], VALUE_LABELS.get(r["level"], r["level"]), r["township_name"],
             r["unit"], r["deadline"], VALUE_LABELS.get(r["status"], r["status"]), r["carried_from"]]
            for _, r in frame.iterrows()]
    return _xlsx(f"{quarter}治安乱点", f"{county.name}{quarter}挂牌整治治安乱点清单", HOTSPOT_HEAD, rows)


def hotspot_areas(frame: gpd.GeoDataFrame, quarter: str, fmt: str) -> bytes:
    """The quarter's published areas as GeoPackage or GeoJSON (WGS 84)."""
    driver, _ = AREA_FORMATS[fmt]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"hotspots-{quarter}.{fmt}"
        frame.to_file(path, driver=driver, **({"layer": "hotspots"} if fmt == "gpkg" else {}))
        return path.read_bytes()


def table_xlsx(title: str, caption: str, head: list[str], rows: list[list]) -> bytes:
    """A one-sheet workbook: a caption row, a head row, the rows (text kept as text)."""
    return _xlsx(title, caption, head, rows)
