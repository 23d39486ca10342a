"""patrol_tracks by month (migration 0015): months made, rows routed, the default
partition emptied into months, old months pruned, one row per (code, time)."""
from datetime import date, datetime

import pandas as pd
import pytest
from shapely.geometry import Point

from layers import bulk, track_partitions
from layers import patrol as records
from tests.helpers import put

COUNTY = "410999"


@pytest.fixture(autouse=True)
def fresh_cache(app):
    track_partitions.forget()   # other tests may have dropped months this process knew
    yield
    track_partitions.forget()


def point(team, at, lon=111.01, lat=33.01, props=None):
    t = pd.Timestamp(at)
    return {"code": f"{team}@{t.isoformat()}", "team_code": team, "recorded_at": t,
            "geometry": Point(lon, lat), "props": props or {}}


def where(conn, code):
    with conn.cursor() as cur:
        cur.execute("SELECT tableoid::regclass::text FROM patrol_tracks WHERE code = %s", (code,))
        found = [r[0] for r in cur.fetchall()]
    conn.rollback()   # hold no lock a prune in another connection would wait for
    return found


def raw_insert(conn, team, at):
    """A writer that does not make months first (a phone fix: INSERT … ON CONFLICT DO NOTHING)."""
    with conn.cursor() as cur:
        cur.execute("INSERT INTO patrol_tracks (county_code, code, team_code, recorded_at, geom)"
                    " VALUES (%s, %s, %s, %s, ST_SetSRID(ST_MakePoint(111.01, 33.01), 4326))"
                    " ON CONFLICT DO NOTHING", (COUNTY, f"{team}@{at}", team, at))
    conn.commit()


def names(conn):
    found = [p.name for p in track_partitions.list_partitions(conn)]
    conn.rollback()
    return found


def test_the_table_is_partitioned_by_month_with_a_default(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT partstrat FROM pg_partitioned_table WHERE partrelid = 'patrol_tracks'::regclass")
        assert cur.fetchone() == ("r",)
        cur.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'patrol_tracks'::regclass"
                    " ORDER BY conname")
        defs = [r[0] for r in cur.fetchall()]
    assert "UNIQUE (county_code, code, recorded_at)" in defs and "PRIMARY KEY (id, recorded_at)" in defs
    assert any("lonlat_ok(geom)" in d for d in defs) and any("moment_ok(recorded_at)" in d for d in defs)
    assert names(conn)[-1] == "patrol_tracks_default"


def test_ensure_months_makes_every_month_between(conn):
    made = track_partitions.ensure_months(conn, date(2023, 11, 15), datetime(2024, 2, 3, 12))
    conn.commit()
    assert made == ["patrol_tracks_y2023m11", "patrol_tracks_y2023m12", "patrol_tracks_y2024m01",
                    "patrol_tracks_y2024m02"]
    months = {p.name: p.month for p in track_partitions.list_partitions(conn)}
    assert months["patrol_tracks_y2024m01"] == date(2024, 1, 1) and months["patrol_tracks_default"] is None
    assert track_partitions.ensure_months(conn, date(2023, 12, 1), date(2024, 1, 31)) == []   # known: no DDL


def test_upserted_points_land_in_their_local_month(conn):
    put(conn, "patrol_tracks", [point("T1", "2025-07-31T23:30:00+08:00"),     # 15:30 UTC: still July locally
                                point("T1", "2025-08-01T00:10:00+08:00")])    # 16:10 UTC on 31 July
    assert where(conn, "T1@2025-07-31T23:30:00+08:00") == ["patrol_tracks_y2025m07"]
    assert where(conn, "T1@2025-08-01T00:10:00+08:00") == ["patrol_tracks_y2025m08"]


def test_rows_in_the_default_partition_move_into_their_months(conn):
    track_partitions.prune(conn, 1, on=date(2026, 12, 1))   # no month of 2022 left from another test
    conn.commit()
    raw_insert(conn, "T9", "2022-03-05T10:00:00+08:00")
    raw_insert(conn, "T9", "2022-04-05T10:00:00+08:00")
    assert where(conn, "T9@2022-03-05T10:00:00+08:00") == ["patrol_tracks_default"]
    track_partitions.ensure_months(conn, date(2022, 3, 1), date(2022, 3, 1))   # making a month takes its rows
    conn.commit()
    assert where(conn, "T9@2022-03-05T10:00:00+08:00") == ["patrol_tracks_y2022m03"]
    assert track_partitions.move_default(conn) == 1
    conn.commit()
    assert where(conn, "T9@2022-04-05T10:00:00+08:00") == ["patrol_tracks_y2022m04"]
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM patrol_tracks_default")
        assert cur.fetchone()[0] == 0


def test_prune_drops_only_months_older_than_the_retention(conn):
    track_partitions.ensure_months(conn, date(2024, 1, 1), date(2024, 6, 1))
    put(conn, "patrol_tracks", [point("T1", "2024-02-10T09:00:00+08:00"), point("T1", "2024-06-10T09:00:00+08:00")])
    raw_insert(conn, "T1", "2019-01-01T09:00:00+08:00")     # waits in the default partition
    before = names(conn)
    would = track_partitions.prune(conn, 24, dry_run=True, on=date(2026, 5, 10))   # keeps 2024-06 … 2026-05
    conn.commit()
    assert {"patrol_tracks_y2024m01", "patrol_tracks_y2024m05"} <= {p.name for p in would}
    assert all(p.month < date(2024, 6, 1) for p in would)
    assert names(conn) == before                              # a dry run drops nothing
    dropped = track_partitions.prune(conn, 24, on=date(2026, 5, 10))
    conn.commit()
    assert [p.name for p in dropped] == [p.name for p in would]
    left = track_partitions.list_partitions(conn)
    assert all(p.month is None or p.month >= date(2024, 6, 1) for p in left)
    assert "patrol_tracks_y2024m06" in names(conn) and "patrol_tracks_default" in names(conn)
    assert where(conn, "T1@2024-06-10T09:00:00+08:00") == ["patrol_tracks_y2024m06"]
    assert where(conn, "T1@2024-02-10T09:00:00+08:00") == []
    assert where(conn, "T1@2019-01-01T09:00:00+08:00") == ["patrol_tracks_default"]


@pytest.mark.parametrize("months", [0, -3])
def test_prune_refuses_a_retention_below_one_month(conn, months):
    before = names(conn)
    with pytest.raises(ValueError, match="正整数"):
        track_partitions.prune(conn, months)
    assert names(conn) == before


def test_the_same_point_sent_twice_is_stored_once(conn):
    frame = pd.DataFrame([point("T1", "2026-03-02T08:00:00+08:00")])
    import geopandas as gpd
    frame = gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")
    assert records.add_track_points(conn, COUNTY, frame) == (1, 0)
    conn.commit()
    assert records.add_track_points(conn, COUNTY, frame) == (0, 1)
    conn.commit()
    assert len(where(conn, "T1@2026-03-02T08:00:00+08:00")) == 1


def test_out_of_order_points_read_back_in_time_order(conn):
    times = ["2026-02-01T09:00:00+08:00", "2026-01-31T09:00:00+08:00", "2026-02-01T08:00:00+08:00",
             "2026-01-15T10:00:00+08:00"]
    for t in times:   # a phone resending after a dead zone: late points, older months
        put(conn, "patrol_tracks", [point("T1", t)])
    put(conn, "patrol_tracks", [point("T1", times[0])])   # and once more
    team, got, _lon, _lat = records.tracks(conn, COUNTY, datetime.fromisoformat("2026-01-01T00:00:00+08:00"),
                                           datetime.fromisoformat("2026-03-01T00:00:00+08:00"))
    assert list(got) == sorted(pd.Timestamp(t) for t in times)


def test_table_sizes_count_every_partition(conn):
    put(conn, "patrol_tracks", [point("T1", "2026-02-01T09:00:00+08:00")])
    assert bulk.table_sizes(conn)["patrol_tracks"] > 0


def test_cli_lists_and_prunes_with_the_configured_retention(app, runner, conn):
    track_partitions.ensure_months(conn, date(2020, 1, 1), date(2020, 2, 1))
    conn.commit()
    conn.rollback()
    listed = runner.invoke(args=["tracks", "partitions"])
    assert listed.exit_code == 0, listed.output
    assert "patrol_tracks_y2020m01" in listed.output and "2020-01" in listed.output
    dry = runner.invoke(args=["tracks", "prune", "--dry-run"])
    assert dry.exit_code == 0 and "patrol_tracks_y2020m01" in dry.output and "保留 24 个月" in dry.output
    assert "patrol_tracks_y2020m01" in names(conn)
    app.config["TRACK_RETENTION_MONTHS"] = 1200   # a hundred years: nothing is that old
    kept = runner.invoke(args=["tracks", "prune"])
    assert kept.exit_code == 0 and "patrol_tracks_y2020m01" in names(conn)
    app.config["TRACK_RETENTION_MONTHS"] = 24
    done = runner.invoke(args=["tracks", "prune"])
    assert done.exit_code == 0 and "已删除" in done.output
    assert "patrol_tracks_y2020m01" not in names(conn)


@pytest.mark.parametrize("setting, args", [(-1, []), ("abc", []), (0, []), (24, ["--keep-months", "-5"]),
                                           (24, ["--keep-months", "1.5"]), (24, ["--keep-months", "x"])])
def test_cli_refuses_a_bad_retention_and_drops_nothing(app, runner, conn, setting, args):
    track_partitions.ensure_months(conn, date(2020, 1, 1), date(2020, 1, 1))
    conn.commit()
    app.config["TRACK_RETENTION_MONTHS"] = setting
    result = runner.invoke(args=["tracks", "prune"] + args)
    assert result.exit_code != 0
    assert ("--keep-months" if args else "TRACK_RETENTION_MONTHS") in result.output and "正整数" in result.output
    assert "patrol_tracks_y2020m01" in names(conn)


def test_cli_settle_moves_the_default_partition(runner, conn):
    track_partitions.prune(conn, 1, on=date(2026, 12, 1))
    conn.commit()
    raw_insert(conn, "T9", "2021-06-05T10:00:00+08:00")
    result = runner.invoke(args=["tracks", "settle"])
    assert result.exit_code == 0 and "1" in result.output
    assert where(conn, "T9@2021-06-05T10:00:00+08:00") == ["patrol_tracks_y2021m06"]


def test_indexes_set_aside_for_a_bulk_load_come_back_on_every_partition(conn):
    from layers.catalog import LAYERS

    track_partitions.ensure_months(conn, date(2026, 1, 1), date(2026, 2, 1))
    conn.commit()
    with bulk.plain_indexes_set_aside(conn, LAYERS["patrol_tracks"]):
        pass
    conn.commit()
    with conn.cursor() as cur:
        cur.execute("SELECT count(*), bool_and(indisvalid) FROM pg_index WHERE indrelid = 'patrol_tracks'::regclass")
        assert cur.fetchone() == (5, True)
        cur.execute("SELECT count(*) FROM pg_index WHERE indrelid = 'patrol_tracks_y2026m01'::regclass")
        assert cur.fetchone()[0] == 5     # pkey, unique, county/time, team/time, GiST
    conn.rollback()
