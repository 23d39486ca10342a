"""data.importer reading, checking and writing a file chunk by chunk (small chunks here).

A problem found only in a late chunk, or a key repeated across chunks, refuses the whole
file with nothing written, naming the rows as users number them; the problems listed do
not depend on the chunk size.
"""
from __future__ import annotations

import os

import geopandas as gpd
import psycopg2
import pytest
from shapely.geometry import Point

from data.importer import import_file
from layers.errors import ImportRefused
from tests.data.test_importer import (
    IN_V1,
    _csv,
    count,
    county,  # noqa: F401 - a fixture
    incident_frame,
    load_base,
    TOO_LONG,
    refused,
    rows,
    run,
    too_long,
    write,
)

CHUNK = 4


def incidents_file(tmp_path, kind: str, n: int, edit=None):
    """n incidents as a CSV, GeoPackage, GeoJSON or Shapefile; ``edit(frame)`` first."""
    frame = incident_frame(n)
    if edit is not None:
        edit(frame)
    path = tmp_path / f"incidents.{kind}"
    if kind == "csv":
        lines = ["code,occurred_at,category,lon,lat"] + [
            f"{c},{t},{k},{g.x!r},{g.y!r}" for c, t, k, g in
            zip(frame["code"], frame["occurred_at"], frame["category"], frame.geometry)]
        return _csv(path, "\n".join(lines) + "\n")
    driver = {"gpkg": "GPKG", "geojson": "GeoJSON", "shp": "ESRI Shapefile"}[kind]
    return write(frame, path, driver=driver)


def bad_category(pos):
    def edit(frame):
        frame.loc[pos, "category"] = TOO_LONG
    return edit


def old_incidents(conn, county, tmp_path):
    """Five incidents already in the layer: a refused import must leave them as they are."""
    frame = incident_frame(5, seed=9).assign(code=lambda f: "OLD" + f["code"])
    run(conn, county, "incidents", write(frame, tmp_path / "old.gpkg"))


@pytest.mark.parametrize("kind, row", [("csv", "第 23 行"), ("gpkg", "第 22 行"),
                                       ("geojson", "第 22 行"), ("shp", "第 22 行")])
def test_a_bad_row_in_the_last_chunk_refuses_the_whole_file(conn, county, tmp_path, kind, row):
    load_base(conn, county, tmp_path)
    old_incidents(conn, county, tmp_path)
    path = incidents_file(tmp_path, kind, 22, bad_category(21))
    for replace in (False, True):
        problems = refused(conn, county, "incidents", path, chunk_rows=CHUNK, replace=replace)
        assert problems == [too_long(f"incidents.{kind} {row} (code=J0000021)")]
        assert count(conn, "incidents") == 5
    assert rows(conn, "SELECT count(*) FROM incidents WHERE code LIKE %s", "OLD%") == [(5,)]


@pytest.mark.parametrize("kind, rows_named", [("csv", ("第 20 行", "第 3 行")),
                                              ("gpkg", ("第 19 行", "第 2 行"))])
def test_a_code_repeated_in_a_later_chunk_names_both_rows(conn, county, tmp_path, kind,
                                                          rows_named):
    old_incidents(conn, county, tmp_path)

    def edit(frame):
        frame.loc[18, "code"] = "J0000001"
    path = incidents_file(tmp_path, kind, 22, edit)
    problems = refused(conn, county, "incidents", path, chunk_rows=CHUNK)
    later, first = rows_named
    assert problems == [f"incidents.{kind} {later} (code=J0000001) 列 code: 与{first}重复 "
                        f"'J0000001' (duplicate code, same as row {first.split()[1]})"]
    assert count(conn, "incidents") == 5


def test_track_points_repeated_across_chunks(conn, county, tmp_path):
    lines = ["team_code,recorded_at,lon,lat"] + [
        f"T{i % 3},2026-03-05 10:{i:02d}:00,{IN_V1[0]},{IN_V1[1]}" for i in range(10)]
    lines.append(f"T1,2026-03-05T02:01:00Z,{IN_V1[0]},{IN_V1[1]}")     # = line 3, in UTC
    problems = refused(conn, county, "patrol_tracks", _csv(tmp_path / "tracks.csv",
                                                           "\n".join(lines) + "\n"),
                       chunk_rows=CHUNK)
    assert problems == ["tracks.csv 第 12 行 列 team_code+recorded_at: 与第 3 行重复 "
                        "'T1 2026-03-05T10:01:00+08:00' (duplicate team_code+recorded_at, "
                        "same as row 3)"]
    assert count(conn, "patrol_tracks") == 0


def _several_problems(frame):
    frame.loc[1, "geometry"] = Point(2.35, 48.85)              # outside China
    frame.loc[6, "category"] = TOO_LONG
    frame.loc[9, "code"] = "J0000003"                          # repeats row 4
    frame.loc[12, "geometry"] = Point(500_000.0, 3_700_000.0)  # metres read as degrees
    frame.loc[13, "geometry"] = Point(510_000.0, 3_710_000.0)
    frame.loc[17, "occurred_at"] = "2026-02-30 10:00"


@pytest.mark.parametrize("kind", ["csv", "gpkg"])
def test_the_problems_listed_do_not_depend_on_the_chunk_size(conn, county, tmp_path, kind):
    path = incidents_file(tmp_path, kind, 20, _several_problems)
    whole = refused(conn, county, "incidents", path)
    assert len(whole) == 7 and "look projected" in whole[0]
    for chunk_rows in (1, 3, CHUNK, 7):
        assert refused(conn, county, "incidents", path, chunk_rows=chunk_rows) == whole


def test_the_problem_list_stays_capped_across_chunks(conn, county, tmp_path):
    def edit(frame):
        frame["category"] = TOO_LONG
        frame.loc[100, "code"] = "J0000000"
    path = incidents_file(tmp_path, "csv", 130, edit)
    problems = refused(conn, county, "incidents", path, chunk_rows=7)
    assert len(problems) == 51
    assert "第 2 行" in problems[0] and "第 51 行" in problems[49]
    assert problems[-1] == "… 另有 81 个问题 (and 81 more)"


def test_a_file_problem_found_late_is_listed_once_before_the_column_ones(conn, county,
                                                                        tmp_path):
    # no CRS: a Shapefile whose first chunk has no geometry, and no category column
    frame = incident_frame(10).drop(columns=["category"]).to_crs(4547)
    frame.loc[0:5, "geometry"] = None
    path = write(frame, tmp_path / "incidents.shp")
    os.remove(tmp_path / "incidents.prj")
    problems = refused(conn, county, "incidents", path, chunk_rows=CHUNK)
    assert [p.split(":")[0] for p in problems[:2]] == ["incidents.shp",
                                                       "incidents.shp 列 category"]
    assert "no CRS" in problems[0] and "missing required column" in problems[1]
    assert sum("no CRS" in p for p in problems) == 1
    assert sum("missing required column" in p for p in problems) == 1


def test_an_autocommit_connection_is_checked_whole_before_any_write(app, county, tmp_path):
    url = app.config["RESOLVED_DATABASE_URL"]
    auto = psycopg2.connect(url)
    auto.autocommit = True
    try:
        bad = incidents_file(tmp_path, "csv", 22, bad_category(21))
        with pytest.raises(ImportRefused) as err:
            import_file(auto, "incidents", bad, county_code=county, chunk_rows=CHUNK)
        assert "第 23 行" in err.value.problems[0]
        assert count(auto, "incidents") == 0
        good = incidents_file(tmp_path, "gpkg", 22)
        result = import_file(auto, "incidents", good, county_code=county, chunk_rows=CHUNK)
        assert (result.added, result.rows, count(auto, "incidents")) == (22, 22, 22)
    finally:
        auto.close()


def test_chunks_are_written_and_counted(conn, county, tmp_path):
    load_base(conn, county, tmp_path)
    path = incidents_file(tmp_path, "gpkg", 22)
    result = run(conn, county, "incidents", path, chunk_rows=CHUNK)
    assert (result.added, result.updated, result.rows) == (22, 0, 22)
    result = run(conn, county, "incidents", path, chunk_rows=CHUNK, replace=True)
    assert (result.added, result.updated, count(conn, "incidents")) == (22, 0, 22)
    assert rows(conn, "SELECT count(*) FROM incidents WHERE township_code IS NULL") == [(0,)]


def test_shapefile_encoding_decided_on_the_first_chunk_with_chinese(conn, county, tmp_path):
    names = ["School A", "School B", "School C", "School D", "城关小学", "河口中学"]
    schools = gpd.GeoDataFrame({"code": [f"S{i}" for i in range(6)], "name": names},
                               geometry=[Point(IN_V1)] * 6, crs=4326)
    path = write(schools, tmp_path / "schools.shp", encoding="gbk")
    os.remove(tmp_path / "schools.cpg")
    result = run(conn, county, "schools", path, chunk_rows=CHUNK)
    assert result.added == 6
    assert len(result.warnings) == 1
    assert ".cpg" in result.warnings[0] and "GB18030" in result.warnings[0]
    assert rows(conn, "SELECT name FROM schools ORDER BY code") == [(n,) for n in names]
