"""Reads of layers as GeoDataFrames (EPSG:4326), for the analyses in geo/.

Every filter is a named argument here; callers never pass SQL.
"""
from __future__ import annotations

from datetime import date

import geopandas as gpd
import pandas as pd
import shapely
from psycopg2 import sql

from geo.calendar import quarter_bounds
from layers.catalog import LAYERS, Layer

IN_FORCE = ("listed", "remediating")  # hotspot statuses that patrols must still visit


def _select(layer: Layer, columns: list[str], conditions: list[sql.Composable]) -> sql.Composed:
    where = sql.SQL(" AND ").join([sql.SQL("t.county_code = %(county)s"), *conditions])
    return sql.SQL("SELECT {cols}, ST_AsBinary(t.geom) FROM {table} t WHERE {where}").format(
        cols=sql.SQL(", ").join(sql.SQL("t.") + sql.Identifier(c) for c in columns),
        table=sql.Identifier(layer.table), where=where)


def _frame(conn, query, params: dict, columns: list[str]) -> gpd.GeoDataFrame:
    with conn.cursor() as cur:
        cur.execute(query, params)
        rows = cur.fetchall()
    frame = pd.DataFrame([r[:-1] for r in rows], columns=columns)
    geoms = shapely.from_wkb([bytes(r[-1]) if r[-1] is not None else None for r in rows])
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"))


def read_frame(conn, layer: Layer, county: str, columns: list[str] | None = None) -> gpd.GeoDataFrame:
    """Rows of ``layer`` for one county as a GeoDataFrame in EPSG:4326.

    columns: the columns to read (default: code and every declared column).
    """
    cols = columns or ["code"] + [c.name for c in layer.columns if c.name != "code"]
    return _frame(conn, _select(layer, cols, []), {"county": county}, cols)


# Incidents of one category as written (compared by its key: NFKC, trimmed, lower case) or
# of one R4 focus group, when given.
WHICH_INCIDENTS = """
    (%(category)s::text IS NULL OR category_key(t.category) = category_key(%(category)s))
    AND (%(focus)s::text IS NULL OR t.focus = %(focus)s)"""


def incidents_between(conn, county: str, start: date | str, end: date | str,
                      category: str | None = None, focus: str | None = None,
                      columns: tuple[str, ...] = ("code", "category", "focus")) -> gpd.GeoDataFrame:
    """Incidents on local days [start, end), of one category as written and/or one focus
    group when given (EPSG:4326)."""
    conditions = [sql.SQL("t.occurred_at >= %(start)s::date AND t.occurred_at < %(end)s::date"),
                  sql.SQL(WHICH_INCIDENTS)]
    params = {"county": county, "start": start, "end": end, "category": category, "focus": focus}
    return _frame(conn, _select(LAYERS["incidents"], list(columns), conditions), params, list(columns))


def incidents_in_quarter(conn, county: str, quarter: str, category: str | None = None,
                         focus: str | None = None) -> gpd.GeoDataFrame:
    """The quarter's incidents (code, category, focus), of one category as written and/or
    one focus group when given."""
    start, end = quarter_bounds(quarter)
    return incidents_between(conn, county, start, end, category, focus)


def hotspots_of_quarter(conn, county: str, quarter: str | None, in_force: bool = False,
                        columns: tuple[str, ...] = ("code",)) -> gpd.GeoDataFrame:
    """The hotspots listed for ``quarter`` (only those patrols must still visit with
    ``in_force``), in EPSG:4326; empty when ``quarter`` is None."""
    conditions = [sql.SQL("t.quarter = %(quarter)s")]
    if in_force:
        conditions.append(sql.SQL("t.status = ANY(%(statuses)s)"))
    params = {"county": county, "quarter": quarter, "statuses": list(IN_FORCE)}
    return _frame(conn, _select(LAYERS["hotspots"], list(columns), conditions), params, list(columns))


COUNT_INCIDENTS = """
    SELECT count(*) FROM incidents t
    WHERE t.county_code = %(county)s AND t.occurred_at >= %(start)s::date AND t.occurred_at < %(end)s::date
      AND """ + WHICH_INCIDENTS


def count_incidents_in_quarter(conn, county: str, quarter: str, category: str | None = None,
                               focus: str | None = None) -> int:
    """How many incidents the quarter has (of one category as written and/or one focus
    group when given)."""
    start, end = quarter_bounds(quarter)
    with conn.cursor() as cur:
        cur.execute(COUNT_INCIDENTS, {"county": county, "start": start, "end": end, "category": category,
                                      "focus": focus})
        return cur.fetchone()[0]
