"""Writes of whole layers: upsert by code, and township/village by location."""
from __future__ import annotations

import json
import logging

import numpy as np
import pandas as pd
import shapely
from psycopg2 import sql
from psycopg2.extras import execute_values

from layers import track_partitions
from layers.catalog import LAYERS, Layer

LOGGER = logging.getLogger(__name__)
PAGE = 5000
# The columns a row is matched on; a GPS point's identity includes its time (the table is
# partitioned by month of recorded_at, migration 0015).
CONFLICT_KEYS = {"patrol_tracks": ("county_code", "code", "recorded_at")}


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


def _upsert_sql(layer: Layer, cols: list[str]) -> tuple[sql.Composed, str]:
    """The INSERT … ON CONFLICT statement of ``layer`` and its VALUES template."""
    names = ["county_code"] + cols + ["props", "geom"]
    keys = CONFLICT_KEYS.get(layer.table, ("county_code", "code"))
    updates = sql.SQL(", ").join(sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(n))
                                 for n in cols + ["props", "geom"] if n not in keys)
    # A partitioned table has no xmax to tell a row added from one updated: there an update
    # stamps clock_timestamp(), later than the transaction's now() that an added row gets.
    added, stamp = ("(xmax = 0)", "now()") if layer.table not in CONFLICT_KEYS else \
        ("(updated_at = now())", "clock_timestamp()")
    statement = sql.SQL(
        "INSERT INTO {table} ({names}) VALUES %s ON CONFLICT ({keys}) "
        "DO UPDATE SET {updates}, updated_at = {stamp} RETURNING {added}, id").format(
        table=sql.Identifier(layer.table), names=sql.SQL(", ").join(map(sql.Identifier, names)),
        keys=sql.SQL(", ").join(map(sql.Identifier, keys)), updates=updates, stamp=sql.SQL(stamp),
        added=sql.SQL(added))
    template = "(" + ", ".join(["%s"] * (len(names) - 1) + [_geom_sql(layer)]) + ")"
    return statement, template


def _pages(frame, cols: list[str], county_code: str):
    """The frame's rows as tuples to bind (county, columns, props as JSON, geometry as
    WKB), PAGE at a time."""
    geoms = frame.geometry.values if "geometry" in frame else [None] * len(frame)
    wkb = [None if g is None or g.is_empty else shapely.to_wkb(g) for g in geoms]
    columns = [frame[c].tolist() if c in frame else [None] * len(frame) for c in cols]
    props = [json.dumps(p or {}, ensure_ascii=False, default=str)
             for p in (frame["props"] if "props" in frame else [None] * len(frame))]
    for start in range(0, len(frame), PAGE):
        yield [tuple([county_code] + [_py(col[i]) for col in columns] + [props[i], wkb[i]])
               for i in range(start, min(start + PAGE, len(frame)))]


def upsert_layer(conn, layer: Layer, frame, county_code: str, replace: bool = False,
                 progress=None, added_ids: list | None = None) -> tuple[int, int]:
    """Insert or update ``frame``'s rows in ``layer``'s table, matched on code.

    frame: a GeoDataFrame in EPSG:4326 with the layer's columns (already checked),
    a ``code`` column, and a ``props`` column of dicts for extra columns.
    Returns (added, updated); the ids of the rows added are appended to ``added_ids``
    when given (the import history keeps them). Does not commit.
    """
    cols = ["code"] + [c.name for c in layer.columns if c.name != "code" and not (c.kept and c.name not in frame)]
    statement, template = _upsert_sql(layer, cols)
    added = updated = 0
    if layer.table == track_partitions.TABLE:
        track_partitions.ensure_for_frame(conn, frame)   # the months it touches, before it writes
    with conn.cursor() as cur:
        if replace:
            cur.execute(sql.SQL("DELETE FROM {} WHERE county_code = %s").format(
                sql.Identifier(layer.table)), (county_code,))
        for page in _pages(frame, cols, county_code):
            flags = execute_values(cur, statement, page, template=template, page_size=PAGE, fetch=True)
            n_new = sum(1 for f, _ in flags if f)
            if added_ids is not None:
                added_ids.extend(i for f, i in flags if f)
            added += n_new
            updated += len(flags) - n_new
            if progress is not None:
                progress(len(page))
    return added, updated


def update_attributes(conn, layer: Layer, frame, county_code: str) -> tuple[list[int], int]:
    """Update the columns ``frame`` holds (and merge its props) of rows that exist, matched
    on code; their geometry and other columns stay. For a table without coordinates (a
    county's list of villages in Excel). Returns (positions of rows whose code the layer
    does not hold, rows updated); nothing is written when any is missing."""
    cols = [c.name for c in layer.columns if c.name in frame and c.name != "code" and not c.derived]
    codes = [str(c) for c in frame["code"].tolist()]
    with conn.cursor() as cur:
        cur.execute(sql.SQL("SELECT code FROM {} WHERE county_code = %s AND code = ANY(%s)").format(
            sql.Identifier(layer.table)), (county_code, codes))
        held = {r[0] for r in cur.fetchall()}
        missing = [i for i, code in enumerate(codes) if code not in held]
        if missing:
            return missing, 0
        sets = sql.SQL(", ").join([sql.SQL("{0} = v.{0}").format(sql.Identifier(c)) for c in cols]
                                  + [sql.SQL("props = t.props || v.props::jsonb"), sql.SQL("updated_at = now()")])
        names = sql.SQL(", ").join(map(sql.Identifier, ["code"] + cols + ["props"]))
        statement = sql.SQL("UPDATE {table} t SET {sets} FROM (VALUES %s) AS v({names}) "
                            "WHERE t.county_code = {county} AND t.code = v.code").format(
            table=sql.Identifier(layer.table), sets=sets, names=names, county=sql.Literal(county_code))
        values = [tuple([code] + [_py(frame[c].iloc[i]) for c in cols]
                        + [json.dumps(frame["props"].iloc[i] or {}, ensure_ascii=False, default=str)])
                  for i, code in enumerate(codes)]
        types = _column_types(cur, layer, cols)
        template = "(" + ", ".join(["%s"] + [f"%s::{types[c]}" for c in cols] + ["%s"]) + ")"
        execute_values(cur, statement, values, template=template, page_size=PAGE)
    return [], len(codes)


def _column_types(cur, layer: Layer, columns: list[str]) -> dict[str, str]:
    """The SQL types of a layer's columns (VALUES rows carry no types of their own)."""
    cur.execute("SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
                "WHERE a.attrelid = %s::regclass AND a.attname = ANY(%s)", (layer.table, columns))
    return dict(cur.fetchall())


# Where a row lies: its village (and that village's township), or its township alone,
# by the point on its surface (by the middle of its first part for lines).
LOCATE_VILLAGE = """
    UPDATE {table} t SET village_code = v.code,
           township_code = COALESCE(t.township_code, v.township_code)
    FROM villages v
    WHERE t.county_code = %(county)s AND v.county_code = %(county)s
      AND t.village_code IS NULL AND t.geom IS NOT NULL
      AND ST_Intersects(v.geom, ST_PointOnSurface(t.geom))"""
LOCATE_TOWNSHIP = """
    UPDATE {table} t SET township_code = w.code
    FROM townships w
    WHERE t.county_code = %(county)s AND w.county_code = %(county)s
      AND t.township_code IS NULL AND t.geom IS NOT NULL
      AND ST_Intersects(w.geom, {where})"""
# A township written by name where its code belongs (所属乡镇: 柳林镇) becomes its code.
NAMED_TOWNSHIP = """
    UPDATE {table} t SET township_code = w.code
    FROM townships w
    WHERE t.county_code = %(county)s AND w.county_code = %(county)s
      AND t.township_code = w.name AND t.township_code <> w.code"""
POINT_ON_SURFACE = "ST_PointOnSurface(t.geom)"
LINE_MIDDLE = "ST_LineInterpolatePoint(ST_GeometryN(t.geom, 1), 0.5)"


def locate_steps(layer: Layer) -> list[sql.Composed]:
    """The statements that turn township names into codes, and fill a located layer's
    township_code (and village_code) where missing."""
    table = sql.Identifier(layer.table)
    steps = []
    if layer.column("township_code") is not None:
        steps.append(sql.SQL(NAMED_TOWNSHIP).format(table=table))
    if not layer.located or layer.geometry is None:
        return steps
    if layer.column("village_code") is not None:
        steps.append(sql.SQL(LOCATE_VILLAGE).format(table=table))
    where = LINE_MIDDLE if layer.geometry == "MultiLineString" else POINT_ON_SURFACE
    steps.append(sql.SQL(LOCATE_TOWNSHIP).format(table=table, where=sql.SQL(where)))
    return steps


def locate(conn, county_code: str) -> None:
    """Fill township_code / village_code by location where rows lack them, for every
    layer the catalog marks ``located`` (villages first: the others take their township
    from the village). Does not commit."""
    with conn.cursor() as cur:
        for layer in LAYERS.values():
            for statement in locate_steps(layer):
                cur.execute(statement, {"county": county_code})


def analyze(conn, *layers: Layer) -> None:
    """Refresh the planner's statistics after a large write (a fresh table has none, and
    the spatial joins then pick nested loops that take minutes). Does not commit."""
    with conn.cursor() as cur:
        for layer in layers or LAYERS.values():
            cur.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(layer.table)))


def count_rows(conn, layer: Layer, county_code: str | None = None) -> int:
    """Return the number of rows of ``layer`` (for one county, or all)."""
    table = sql.Identifier(layer.table)
    with conn.cursor() as cur:
        if county_code is None:
            cur.execute(sql.SQL("SELECT count(*) FROM {}").format(table))
        else:
            cur.execute(sql.SQL("SELECT count(*) FROM {} WHERE county_code = %s").format(table),
                        (county_code,))
        return cur.fetchone()[0]
