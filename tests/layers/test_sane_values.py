"""The database refuses what can never be true, whoever writes it (migration 0008)."""
from __future__ import annotations

import psycopg2
import pytest

from tests.helpers import small_county

INSERTS = {
    "a NaN coordinate": "INSERT INTO patrol_routes (county_code, code, name, team_code, shift, geom) "
                        "VALUES ('410999', 'R', 'r', 'T', 'd', ST_GeomFromText('MULTILINESTRING((111 33, 111.1 NaN))', 4326))",
    "an infinite coordinate": "INSERT INTO incidents (county_code, code, occurred_at, category, geom) "
                              "VALUES ('410999', 'I', '2026-01-01', 'theft', ST_SetSRID(ST_MakePoint('Infinity', 33), 4326))",
    "a longitude off the globe": "INSERT INTO schools (county_code, code, name, geom) "
                                 "VALUES ('410999', 'S', 's', ST_SetSRID(ST_MakePoint(200, 33), 4326))",
    "a GPS point in 9999": "INSERT INTO patrol_tracks (county_code, code, team_code, recorded_at, geom) "
                           "VALUES ('410999', 'T@x', 'T', '9999-12-31', ST_SetSRID(ST_MakePoint(111, 33), 4326))",
    "an incident in year 1": "INSERT INTO incidents (county_code, code, occurred_at, category, geom) "
                             "VALUES ('410999', 'I', '0001-01-01', 'theft', ST_SetSRID(ST_MakePoint(111, 33), 4326))",
    "a NaN camera range": "INSERT INTO cameras (county_code, code, name, kind, fov, range_m, status, networked, geom) "
                          "VALUES ('410999', 'C', 'c', 'fixed', 90, 'NaN', 'working', true, "
                          "ST_SetSRID(ST_MakePoint(111, 33), 4326))",
    "a quarter that is not one": "INSERT INTO hotspot_lists (county_code, quarter, version, state, created_by) "
                                 "VALUES ('410999', '9999Q9', 1, 'draft', 'x')",
    "a deadline in 9999": "UPDATE hotspots SET deadline = '9999-01-01'",
}


@pytest.mark.parametrize("what", list(INSERTS))
def test_the_database_refuses(conn, what):
    with pytest.raises(psycopg2.errors.CheckViolation), conn.cursor() as cur:
        cur.execute("INSERT INTO hotspots (county_code, code, quarter, level, name, status, geom) VALUES "
                    "('410999', 'H', '2026Q3', 'county', 'h', 'listed', "
                    "ST_Multi(ST_GeomFromText('POLYGON((111 33, 111.01 33, 111.01 33.01, 111 33))', 4326)))")
        cur.execute(INSERTS[what])
    conn.rollback()


def test_sane_rows_still_go_in(conn):
    small_county(conn)  # townships and villages, written through layers.store
    with conn.cursor() as cur:
        cur.execute("INSERT INTO patrol_tracks (county_code, code, team_code, recorded_at, geom) "
                    "VALUES ('410999', 'T@x', 'T', '2026-11-20 08:00+08', ST_SetSRID(ST_MakePoint(111.01, 33.01), 4326))")
        cur.execute("SELECT count(*) FROM villages")
        assert cur.fetchone()[0] == 7
    conn.rollback()


@pytest.mark.parametrize("kind, azimuth, fov, range_m", [
    ("dome", None, 360, "NaN"), ("fixed", 90, 60, "Infinity"), ("fixed", "NaN", 60, 100), ("fixed", 90, "NaN", 100)])
def test_a_sector_of_impossible_values_is_null_not_a_crash(conn, kind, azimuth, fov, range_m):
    """ST_Buffer/ST_Project on a NaN radius crashed the database backend; now it is never called."""
    with conn.cursor() as cur:
        cur.execute("SELECT camera_sector(ST_SetSRID(ST_MakePoint(111, 33), 4326), %s, %s::float8, %s::float8,"
                    " %s::float8)", (kind, azimuth, fov, range_m))
        assert cur.fetchone()[0] is None
        cur.execute("SELECT 1")  # the backend is still there
        assert cur.fetchone()[0] == 1
    conn.rollback()
