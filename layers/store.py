"""Writes of whole layers: upsert by code, and township/village by location."""
from __future__ import annotations

import json
import logging

import numpy as np
import pandas as pd
import shapely
from psycopg2.extras import execute_values

from layers.catalog import LAYERS, Layer

LOGGER = logging.getLogger(__name__)
PAGE = 5000


def _py(value):
    """Turn a pandas/numpy scalar into what psycopg2 binds."""
    if value is None:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def _geom_sql(layer: Layer) -> str:
    if layer.geometry in ("MultiPolygon", "MultiLineString"):
        return "ST_Multi(ST_GeomFromWKB(%s, 4326))"
    return "ST_GeomFromWKB(%s, 4326)"


def upsert_layer(conn, layer: Layer, frame, county_code: str, replace: bool = False,
                 progress=None) -> tuple[int, int]:
    """Insert or update ``frame``'s rows in ``layer``'s table, matched on code.

    frame: a GeoDataFrame in EPSG:4326 with the layer's columns (already checked),
    a ``code`` column, and a ``props`` column of dicts for extra columns.
    Returns (added, updated). Does not commit.
    """
    cols = ["code"] + [c.name for c in layer.columns if c.name != "code"]
    names = ["county_code"] + cols + ["props", "geom"]
    updates = ", ".join(f"{n} = EXCLUDED.{n}" for n in cols + ["props", "geom"] if n != "code")
    geom_sql = _geom_sql(layer) if layer.geometry else "ST_GeomFromWKB(%s, 4326)"
    template = "(" + ", ".join(["%s"] * (len(names) - 1) + [geom_sql]) + ")"
    sql = (f"INSERT INTO {layer.table} ({', '.join(names)}) VALUES %s "
           f"ON CONFLICT (county_code, code) DO UPDATE SET {updates}, updated_at = now() "
           f"RETURNING (xmax = 0)")
    with conn.cursor() as cur:
        if replace:
            cur.execute(f"DELETE FROM {layer.table} WHERE county_code = %s", (county_code,))
        geoms = frame.geometry.values if "geometry" in frame else [None] * len(frame)
        wkb = [None if g is None or g.is_empty else shapely.to_wkb(g) for g in geoms]
        columns = [frame[c].tolist() if c in frame else [None] * len(frame) for c in cols]
        props = [json.dumps(p or {}, ensure_ascii=False, default=str)
                 for p in (frame["props"] if "props" in frame else [None] * len(frame))]
        added = updated = 0
        for start in range(0, len(frame), PAGE):
            stop = min(start + PAGE, len(frame))
            rows = [tuple([county_code] + [_py(col[i]) for col in columns]
                          + [props[i], wkb[i]]) for i in range(start, stop)]
            flags = execute_values(cur, sql, rows, template=template, page_size=PAGE, fetch=True)
            n_new = sum(1 for (f,) in flags if f)
            added += n_new
            updated += len(flags) - n_new
            if progress is not None:
                progress(stop - start)
    return added, updated


LOCATE_SQL = {
    # village (and its township) of the point on each feature
    "village": """
        UPDATE {table} t SET village_code = v.code,
               township_code = COALESCE(t.township_code, v.township_code)
        FROM villages v
        WHERE t.county_code = %(county)s AND v.county_code = %(county)s
          AND t.village_code IS NULL AND t.geom IS NOT NULL
          AND ST_Intersects(v.geom, ST_PointOnSurface(t.geom))""",
    "township_point": """
        UPDATE {table} t SET township_code = w.code
        FROM townships w
        WHERE t.county_code = %(county)s AND w.county_code = %(county)s
          AND t.township_code IS NULL AND t.geom IS NOT NULL
          AND ST_Intersects(w.geom, ST_PointOnSurface(t.geom))""",
    "township_line": """
        UPDATE {table} t SET township_code = w.code
        FROM townships w
        WHERE t.county_code = %(county)s AND w.county_code = %(county)s
          AND t.township_code IS NULL
          AND ST_Intersects(w.geom, ST_LineInterpolatePoint(ST_GeometryN(t.geom, 1), 0.5))""",
}


def locate(conn, county_code: str) -> None:
    """Fill township_code / village_code by location where rows lack them. Does not commit."""
    steps = [("villages", "township_point"), ("hotspots", "township_point"),
             ("roads", "township_line"), ("patrol_routes", "township_line")]
    for name in ("cameras", "incidents", "schools", "patrol_tracks"):
        steps += [(name, "village"), (name, "township_point")]
    with conn.cursor() as cur:
        for table, kind in steps:
            assert table in LAYERS
            cur.execute(LOCATE_SQL[kind].format(table=table), {"county": county_code})


def analyze(conn, *layers: Layer) -> None:
    """Refresh the planner's statistics after a large write (a fresh table has none, and
    the spatial joins then pick nested loops that take minutes). Does not commit."""
    with conn.cursor() as cur:
        for layer in layers or LAYERS.values():
            cur.execute(f"ANALYZE {layer.table}")


def count_rows(conn, layer: Layer, county_code: str | None = None) -> int:
    """Return the number of rows of ``layer`` (for one county, or all)."""
    with conn.cursor() as cur:
        if county_code is None:
            cur.execute(f"SELECT count(*) FROM {layer.table}")
        else:
            cur.execute(f"SELECT count(*) FROM {layer.table} WHERE county_code = %s",
                        (county_code,))
        return cur.fetchone()[0]
