"""Reads of layers as GeoDataFrames (EPSG:4326), for the analyses in geo/."""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely
from psycopg2 import sql

from layers.catalog import Layer


def read_frame(conn, layer: Layer, county: str, columns: list[str] | None = None,
               where: str = "", params: dict | None = None) -> gpd.GeoDataFrame:
    """Rows of ``layer`` for one county as a GeoDataFrame in EPSG:4326.

    columns: the columns to read (default: code and every declared column); where: an
    extra SQL condition on the table aliased ``t`` with %(name)s parameters in ``params``.
    """
    cols = columns or ["code"] + [c.name for c in layer.columns if c.name != "code"]
    query = sql.SQL("SELECT {cols}, ST_AsBinary(t.geom) FROM {table} t WHERE t.county_code = %(county)s").format(
        cols=sql.SQL(", ").join(sql.SQL("t.") + sql.Identifier(c) for c in cols),
        table=sql.Identifier(layer.table))
    if where:
        query = query + sql.SQL(" AND ") + sql.SQL(where)
    with conn.cursor() as cur:
        cur.execute(query, {"county": county, **(params or {})})
        rows = cur.fetchall()
    frame = pd.DataFrame([r[:-1] for r in rows], columns=cols)
    geoms = shapely.from_wkb([bytes(r[-1]) if r[-1] is not None else None for r in rows])
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"))
