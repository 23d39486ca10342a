"""The schema: migrations, the catalog's agreement with it, indexes, county code."""
import psycopg2

from layers.catalog import LAYERS
from layers.migrate import migrate, migration_files


def _columns(conn, table):
    with conn.cursor() as cur:
        cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s",
                    (table,))
        return {r[0] for r in cur.fetchall()}


def test_migrations_are_numbered_and_idempotent(conn):
    names = [p.name for p in migration_files()]
    assert names == sorted(names) and names[0].startswith("0001_")
    assert migrate(conn) == []  # the app already applied them all
    with conn.cursor() as cur:
        cur.execute("SELECT name FROM schema_migrations ORDER BY name")
        assert [r[0] for r in cur.fetchall()] == names


def test_every_catalog_column_is_a_table_column(conn):
    for name, layer in LAYERS.items():
        cols = _columns(conn, layer.table)
        assert cols, f"table {layer.table} missing"
        for col in layer.columns:
            assert col.name in cols, f"{name}.{col.name}"
        assert {"county_code", "code", "props", "geom"} <= cols, name


def test_every_layer_has_a_gist_index(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT tablename, indexdef FROM pg_indexes WHERE indexdef ILIKE '%USING gist%'")
        gist = {r[0] for r in cur.fetchall()}
    assert set(LAYERS) <= gist


def test_geometries_are_wgs84(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT f_table_name, srid FROM geometry_columns")
        srids = dict(cur.fetchall())
    for name in LAYERS:
        assert srids[name] == 4326, name


def test_postgis_is_real(conn):
    with conn.cursor() as cur:
        # 1 degree of latitude near 33.8N is about 110.9 km on the ellipsoid
        cur.execute("SELECT ST_Distance('SRID=4326;POINT(111.6 33.3)'::geography,"
                    " 'SRID=4326;POINT(111.6 34.3)'::geography)")
        metres = cur.fetchone()[0]
    assert 110_800 < metres < 111_000


def test_bad_enum_is_refused_by_the_database(conn):
    with conn.cursor() as cur:
        try:
            cur.execute("INSERT INTO cameras (county_code, code, name, kind, fov, range_m, status,"
                        " networked, geom) VALUES ('x', 'c', 'c', 'laser', 90, 50, 'working', true,"
                        " 'SRID=4326;POINT(111.6 33.8)')")
        except psycopg2.errors.CheckViolation:
            conn.rollback()
        else:
            raise AssertionError("a camera of kind 'laser' was accepted")
