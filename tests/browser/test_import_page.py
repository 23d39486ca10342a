"""The admin imports the county's own files through the page in headless Chromium: an XLSX of
villages with Chinese headers, a zipped GBK Shapefile of schools without .cpg, a GBK CSV of
cameras in BD-09; a file with three bad rows is refused whole with a report naming all three."""
from __future__ import annotations

import io
import zipfile

import geopandas as gpd
import numpy as np
import openpyxl
import psycopg2
import pytest
from shapely.geometry import Point

from geo.crs import wgs84_to_bd09
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def db_rows(live_app, sql, *args):
    with psycopg2.connect(live_app.config["RESOLVED_DATABASE_URL"]) as conn, conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall()


def some_villages(live_app, n=3):
    return db_rows(live_app, "SELECT code, name, ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) "
                             "FROM villages ORDER BY code LIMIT %s", n)


def import_through_page(page, layer, path, crs=None, expect_ok=True):
    page.goto("/admin/imports")
    page.select_option("#layer", layer)
    if crs:
        page.select_option("#crs", crs)
    page.set_input_files("#file", str(path))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#result:not([hidden]), #written:not([hidden])", timeout=60_000)
    page.wait_for_function("document.querySelector('#progress-box').hidden", timeout=60_000)
    summary = page.locator("#summary").inner_text()
    if not expect_ok:
        return summary
    assert "检查通过" in summary, summary
    page.once("dialog", lambda d: d.accept())
    page.click("#write")
    page.wait_for_selector("#written:not([hidden])", timeout=60_000)
    return page.locator("#written-text").inner_text()


def test_xlsx_of_villages_with_chinese_headers(page, live_app, tmp_path):
    if live_app.config["LOADED_COUNTY"] != "demo":
        pytest.skip("needs the demo county")
    sign_in(page, "admin", then="/admin/imports")
    villages = some_villages(live_app)
    book = openpyxl.Workbook()
    book.active.append(["行政村名单（示范县）"])
    book.active.append(["编码", "名称", "人口（人）", "备注"])
    for i, (code, name, _, _) in enumerate(villages):
        book.active.append([code, name, 1000 + i, "核对 2026年"])
    path = tmp_path / "行政村名单.xlsx"
    book.save(path)
    done = import_through_page(page, "villages", path)
    assert "更新 3 行" in done
    got = db_rows(live_app, "SELECT code, population FROM villages WHERE code = ANY(%s) ORDER BY code",
                  [v[0] for v in villages])
    assert got == [(v[0], 1000 + i) for i, v in enumerate(villages)]
    assert page.log.blocked == [] and page.log.page_errors == []


def test_zipped_gbk_shapefile_of_schools(page, live_app, tmp_path):
    if live_app.config["LOADED_COUNTY"] != "demo":
        pytest.skip("needs the demo county")
    sign_in(page, "admin", then="/admin/imports")
    (c1, _, x1, y1), (c2, _, x2, y2) = some_villages(live_app, 2)
    schools = gpd.GeoDataFrame({"学校代码": ["ZS1", "ZS2"], "学校名称": ["新建第一小学", "新建中学"]},
                               geometry=[Point(x1, y1), Point(x2, y2)], crs=4326)
    folder = tmp_path / "shp"
    folder.mkdir()
    schools.to_file(folder / "学校.shp", engine="pyogrio", encoding="gbk")
    for cpg in folder.glob("*.cpg"):
        cpg.unlink()
    archive = tmp_path / "学校.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for part in folder.iterdir():
            z.write(part, part.name)
    done = import_through_page(page, "schools", archive)
    assert "新增 2 行" in done
    assert db_rows(live_app, "SELECT code, name, village_code FROM schools WHERE code LIKE 'ZS%%' ORDER BY code") == [
        ("ZS1", "新建第一小学", c1), ("ZS2", "新建中学", c2)]


def test_gbk_csv_of_cameras_in_bd09_and_a_bad_file_refused_whole(page, live_app, tmp_path):
    if live_app.config["LOADED_COUNTY"] != "demo":
        pytest.skip("needs the demo county")
    sign_in(page, "admin", then="/admin/imports")
    (c1, _, x1, y1), (c2, _, x2, y2) = some_villages(live_app, 2)
    bx, by = wgs84_to_bd09(np.array([x1, x2]), np.array([y1, y2]))
    head = "点位编号,点位名称,经度,纬度,设备类型,方位角,视场角,有效距离,设备状态,是否联网\n"
    good = (head + f"ZC1,村口一,{bx[0]:.7f},{by[0]:.7f},枪机,180,60,80,正常,是\n"
            f"ZC2,村口二,{bx[1]:.7f},{by[1]:.7f},球机,90,90,60,掉线,否\n")
    path = tmp_path / "摄像机台账.csv"
    path.write_bytes(good.encode("gbk"))
    done = import_through_page(page, "cameras", path, crs="bd09")
    assert "新增 2 行" in done
    got = db_rows(live_app, "SELECT code, status, village_code FROM cameras WHERE code LIKE 'ZC%%' ORDER BY code")
    assert got == [("ZC1", "working", c1), ("ZC2", "offline", c2)]

    bad = (head + f"ZC3,好的,{bx[0]:.7f},{by[0]:.7f},枪机,180,60,80,正常,是\n"
           f"ZC4,坏一,{bx[0]:.7f},{by[0]:.7f},激光,180,60,80,正常,是\n"
           f"ZC5,坏二,{bx[0]:.7f},北纬,枪机,180,60,80,正常,是\n"
           f"ZC6,坏三,{bx[0]:.7f},{by[0]:.7f},枪机,180,60,80,正常,也许\n")
    path = tmp_path / "坏台账.csv"
    path.write_bytes(bad.encode("gbk"))
    summary = import_through_page(page, "cameras", path, crs="bd09", expect_ok=False)
    assert "3 个问题" in summary and page.locator("#write").is_disabled()
    cells = page.locator("#problems tbody tr td:first-child").all_inner_texts()
    assert sorted(cells) == ["3", "4", "5"]
    with page.expect_download() as got_report:
        page.click("#report-link")
    report = openpyxl.load_workbook(io.BytesIO(open(got_report.value.path(), "rb").read())).active
    named = {r[0] for r in report.iter_rows(values_only=True) if isinstance(r[0], int)}
    assert named == {3, 4, 5}
    assert db_rows(live_app, "SELECT count(*) FROM cameras WHERE code LIKE 'ZC%%'") == [(2,)]
    page.screenshot(path=str(SHOTS / "admin-imports-problems-desk.png"), full_page=True)
    assert page.log.blocked == [] and page.log.page_errors == []

    # the good import is the cameras' last one: undone from the history, the cameras are gone
    page.goto("/admin/imports")
    undo = page.locator("#import-history button[data-undo]", has_text="撤销").first
    assert "视频监控" in undo.get_attribute("data-what") and "摄像机台账.csv" in undo.get_attribute("data-what")
    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        undo.click()
    assert db_rows(live_app, "SELECT count(*) FROM cameras WHERE code LIKE 'ZC%%'") == [(0,)]
    assert "撤销第" in page.locator("#import-history tbody tr").first.inner_text()


from tests.browser.test_every_page import SHOTS  # noqa: E402
