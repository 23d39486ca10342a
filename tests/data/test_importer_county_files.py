"""The files a county really has (issue 13): XLSX with Chinese headers and spreadsheet
dates, zipped GBK Shapefiles without .cpg, GBK CSVs, Baidu (BD-09) coordinates, townships
by name, the ledgers' own words for values."""
from __future__ import annotations

import datetime as dt
import zipfile

import numpy as np
import openpyxl
import pytest
from shapely.geometry import Point

from data.importer import import_file
from data.importer.columns import match_columns
from geo.crs import bd09_to_wgs84, parse_crs, wgs84_to_bd09
from layers.catalog import LAYERS
from layers.headers import header_names
from tests.data.test_importer import (GEOD, IN_V1, IN_V2, VILLAGES, count, load_base, metres, one_problem,
                                      refused, rows, run, township_frame, write)


@pytest.fixture
def county(app):
    return app.config["COUNTY_CODE"]


def xlsx(path, header, data, sheet="Sheet1", before=None):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in before or []:
        ws.append(row)
    ws.append(header)
    for row in data:
        ws.append(row)
    book.save(path)
    return path


def village_rows():
    return [[VILLAGES[0][0], VILLAGES[0][1], "城关镇", 812, "是", dt.date(2026, 3, 5)],
            [VILLAGES[1][0], VILLAGES[1][1], "河口镇", 1530, "否", None]]


def test_xlsx_villages_with_chinese_headers_update_the_outlines_held(conn, county, tmp_path):
    load_base(conn, county, tmp_path)  # the villages' outlines, from a GeoPackage
    before = rows(conn, "SELECT code, ST_AsEWKB(geom) FROM villages ORDER BY code")
    path = xlsx(tmp_path / "行政村名单.xlsx", ["编码", "名称", "所属乡镇", "人口（人）", "是否偏远村", "整治确认日期", "村支书"],
                village_rows(), before=[["示范县行政村名单"], []])
    result = run(conn, county, "villages", path)
    assert (result.added, result.updated) == (0, 2)
    assert any("只更新" in w for w in result.warnings)
    assert rows(conn, "SELECT code, name, township_code, population, remote, remediated_on, props->>'村支书' "
                      "FROM villages ORDER BY code") == [
        (VILLAGES[0][0], VILLAGES[0][1], "410999001", 812, True, dt.date(2026, 3, 5), None),
        (VILLAGES[1][0], VILLAGES[1][1], "410999002", 1530, False, None, None)]
    assert rows(conn, "SELECT code, ST_AsEWKB(geom) FROM villages ORDER BY code") == before
    # a village the layer does not hold cannot come from a list without outlines
    unknown = xlsx(tmp_path / "多一个村.xlsx", ["编码", "名称", "人口"], [[VILLAGES[0][0], "张村", 900],
                                                                      ["410999009009", "新村", 100]])
    problem = one_problem(refused(conn, county, "villages", unknown), "第 3 行", "没有此编码")
    assert "410999009009" in problem
    assert rows(conn, "SELECT population FROM villages WHERE code = %s", VILLAGES[0][0]) == [(812,)]
    assert one_problem(refused(conn, county, "villages", path, replace=True), "不能清空")


def test_xlsx_teams_by_township_name_and_ledger_words(conn, county, tmp_path):
    load_base(conn, county, tmp_path)
    teams = xlsx(tmp_path / "巡防队.xlsx", ["队伍编号", "队伍名称", "队伍类型", "所属乡镇", "队员人数"],
                 [["T1", "城关镇专职巡防队", "专职", "城关镇", 12], ["T2", "李庄义务巡防队", "义务巡防队", "河口镇", 8]])
    result = run(conn, county, "patrol_teams", teams)
    assert (result.added, result.updated) == (2, 0)
    assert rows(conn, "SELECT code, kind, township_code, members FROM patrol_teams ORDER BY code") == [
        ("T1", "township_fulltime", "410999001", 12), ("T2", "village_volunteer", "410999002", 8)]


def test_xlsx_cameras_dates_as_day_numbers_and_text(conn, county, tmp_path):
    load_base(conn, county, tmp_path)
    header = ["点位编号", "点位名称", "经度", "纬度", "设备类型", "朝向", "视场角", "监控距离", "状态", "是否联网", "安装日期"]
    data = [["C1", "张村村口", IN_V1[0], IN_V1[1], "枪机", 180.5, 60, 80, "正常", "是", dt.datetime(2026, 3, 5)],
            ["C2", "李庄村口", IN_V2[0], IN_V2[1], "球机", 90, 90, 60, "离线", "否", 46086],
            ["C3", "李庄路口", IN_V2[0] + 0.001, IN_V2[1], "卡口", None, 40, 100, "故障", "已联网", "2026年3月5日"]]
    result = run(conn, county, "cameras", xlsx(tmp_path / "摄像机台账.xlsx", header, data))
    assert result.added == 3
    got = rows(conn, "SELECT code, name, kind, azimuth, status, networked, installed_on, township_code, "
                     "village_code FROM cameras ORDER BY code")
    assert got == [("C1", "张村村口", "fixed", 180.5, "working", True, dt.date(2026, 3, 5), "410999001", VILLAGES[0][0]),
                   ("C2", "李庄村口", "dome", 90.0, "offline", False, dt.date(2026, 3, 5), "410999002", VILLAGES[1][0]),
                   ("C3", "李庄路口", "checkpoint", None, "faulty", True, dt.date(2026, 3, 5), "410999002",
                    VILLAGES[1][0])]


def test_xlsx_chosen_sheet_and_bad_rows_named(conn, county, tmp_path):
    load_base(conn, county, tmp_path)
    book = openpyxl.Workbook()
    book.active.append(["说明"])
    ws = book.create_sheet("警情")
    ws.append(["警情编号", "报警时间", "警情类别", "发生地点经度", "发生地点纬度"])
    ws.append(["J1", "2026-03-05 08:30:00", "盗窃", IN_V1[0], IN_V1[1]])
    ws.append(["J2", "2026年3月5日 8时30分", "诈骗", IN_V1[0], "北纬三十三度"])
    ws.append(["J3", "昨天", "纠纷", IN_V2[0], IN_V2[1]])
    ws.append(["J4", 46086.5, "纠纷", 200, IN_V2[1]])
    path = tmp_path / "警情.xlsx"
    book.save(path)
    problems = refused(conn, county, "incidents", path, sheet="警情")
    assert one_problem(problems, "第 3 行", "北纬三十三度")
    assert one_problem(problems, "第 4 行", "昨天")
    assert one_problem(problems, "第 5 行")
    assert "工作表" in refused(conn, county, "incidents", path, sheet="没有")[0]


def test_zipped_gbk_shapefile_without_cpg(conn, county, tmp_path):
    load_base(conn, county, tmp_path)
    import geopandas as gpd

    schools = gpd.GeoDataFrame({"学校代码": ["S1", "S2"], "学校名称": ["城关镇第一小学", "李庄小学"]},
                               geometry=[Point(*IN_V1), Point(*IN_V2)], crs=4326)
    folder = tmp_path / "shp"
    folder.mkdir()
    write(schools, folder / "学校.shp", encoding="gbk")
    for cpg in folder.glob("*.cpg"):
        cpg.unlink()
    archive = tmp_path / "学校.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for part in folder.iterdir():
            z.write(part, f"学校/{part.name}")
        z.writestr("__MACOSX/._学校.shp", b"junk")
    result = run(conn, county, "schools", archive)
    assert result.added == 2 and any("GB18030" in w for w in result.warnings)
    assert rows(conn, "SELECT code, name, township_code FROM schools ORDER BY code") == [
        ("S1", "城关镇第一小学", "410999001"), ("S2", "李庄小学", "410999002")]


def test_zip_without_one_shapefile_refused(conn, county, tmp_path):
    archive = tmp_path / "empty.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("readme.txt", "nothing")
    assert one_problem(refused(conn, county, "schools", archive), ".shp", "0")
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip")
    assert one_problem(refused(conn, county, "schools", bad), "无法解压")


def test_gbk_csv_of_cameras_in_bd09(conn, county, tmp_path):
    load_base(conn, county, tmp_path)
    b_lon, b_lat = wgs84_to_bd09(np.array([IN_V1[0], IN_V2[0]]), np.array([IN_V1[1], IN_V2[1]]))
    text = ("点位编号,点位名称,经度,纬度,设备类型,方位角,视场角,有效距离,设备状态,是否联网\n"
            f"C1,张村村口,{b_lon[0]:.7f},{b_lat[0]:.7f},枪机,180,60,80,正常,是\n"
            f"C2,李庄村口,{b_lon[1]:.7f},{b_lat[1]:.7f},球机,90,90,60,掉线,否\n")
    path = tmp_path / "摄像机.csv"
    path.write_bytes(text.encode("gbk"))
    result = run(conn, county, "cameras", path, crs="bd09")
    assert result.added == 2 and any("GB18030" in w for w in result.warnings)
    got = rows(conn, "SELECT code, name, status, ST_X(geom), ST_Y(geom) FROM cameras ORDER BY code")
    assert [g[:3] for g in got] == [("C1", "张村村口", "working"), ("C2", "李庄村口", "offline")]
    for (_, _, _, lon, lat), want in zip(got, (IN_V1, IN_V2)):
        assert metres(lon, lat, *want) < 1.0


def test_utf8_csv_with_bom_still_utf8(conn, county, tmp_path):
    load_base(conn, county, tmp_path)
    path = tmp_path / "学校.csv"
    path.write_bytes("\ufeff学校代码,学校名称,lng,lat\nS1,第一小学,111.55,33.8\n".encode("utf-8"))
    result = run(conn, county, "schools", path)
    assert result.added == 1 and not any("GB18030" in w for w in result.warnings)
    assert rows(conn, "SELECT name FROM schools") == [("第一小学",)]


def test_bd09_round_trip_within_a_centimetre():
    rng = np.random.default_rng(1)
    lon, lat = rng.uniform(100, 120, 500), rng.uniform(22, 45, 500)
    back = bd09_to_wgs84(*wgs84_to_bd09(lon, lat))
    assert max(GEOD.inv(lon, lat, back[0], back[1])[2]) < 0.01
    # Baidu's offset is some hundreds of metres: converting matters
    shifted = wgs84_to_bd09(lon, lat)
    assert min(GEOD.inv(lon, lat, shifted[0], shifted[1])[2]) > 100
    assert parse_crs("BD-09") == "bd09" and parse_crs("baidu") == "bd09"


def test_every_layer_column_has_a_chinese_header_that_matches():
    for layer in LAYERS.values():
        for col in layer.columns:
            if col.derived:
                continue
            headers = (col.label, *header_names(layer.name, col.name))
            for header in headers:
                assert match_columns([header], layer).get(header) == col.name, (layer.name, col.name, header)


def test_codes_preferred_to_names_and_hand_choices_first():
    villages = LAYERS["cameras"]
    found = match_columns(["所属乡镇", "乡镇编码", "点位编号", "备注"], villages)
    assert found == {"乡镇编码": "township_code", "点位编号": "code"}
    chosen = match_columns(["编号", "点位编号"], villages, {"编号": "code", "点位编号": None})
    assert chosen == {"编号": "code"}


@pytest.mark.parametrize("layer", list(LAYERS))
def test_each_layers_blank_template_reads_back(layer, tmp_path):
    from data.importer.templates import template_xlsx

    path = tmp_path / f"{layer}.xlsx"
    path.write_bytes(template_xlsx(LAYERS[layer]))
    book = openpyxl.load_workbook(path)
    header = [c.value for c in book.worksheets[0][1]]
    found = match_columns(header, LAYERS[layer])
    wanted = {c.name for c in LAYERS[layer].columns if not c.derived}
    assert set(found.values()) == wanted and len(found) == len(wanted)
    notes = book["说明"]
    assert [c.value for c in notes[3]] == ["列名", "对应字段", "是否必填", "类型", "可用值与说明"]
    explained = {row[1].value for row in notes.iter_rows(min_row=4)}
    assert wanted <= explained


def test_filled_camera_template_imports(conn, county, tmp_path):
    from data.importer.templates import template_xlsx

    load_base(conn, county, tmp_path)
    path = tmp_path / "cameras.xlsx"
    path.write_bytes(template_xlsx(LAYERS["cameras"]))
    book = openpyxl.load_workbook(path)
    ws = book.worksheets[0]
    header = [c.value for c in ws[1]]
    values = {"点位编号": "C9", "点位名称": "张村村口", "设备类型": "枪机", "朝向": 181, "视场角": 60, "有效距离": 80,
              "状态": "正常", "是否联网": "是", "安装日期": "2026年3月5日", "经度": IN_V1[0], "纬度": IN_V1[1]}
    ws.append([values.get(h) for h in header])
    book.save(path)
    assert run(conn, county, "cameras", path).added == 1
    assert rows(conn, "SELECT code, kind, azimuth, township_code FROM cameras") == [("C9", "fixed", 181.0, "410999001")]


def test_template_command(runner, tmp_path):
    out = tmp_path / "t.xlsx"
    result = runner.invoke(args=["import-template", "incidents", str(out)])
    assert result.exit_code == 0 and "警情编号" in [c.value for c in openpyxl.load_workbook(out).worksheets[0][1]]
    assert runner.invoke(args=["import-template", "parks", str(out)]).exit_code == 1
