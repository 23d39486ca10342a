"""Reads of features as GeoJSON, for the OGC API and the map."""
from __future__ import annotations

from psycopg2 import sql

from layers.catalog import Layer
from layers.errors import FeatureNotFound


def _properties(layer: Layer) -> sql.Composable:
    """jsonb of the declared columns plus the extra ones kept in props."""
    cols = ["code"] + [c.name for c in layer.columns if c.name != "code"]
    pairs = []
    for name in cols:
        pairs += [sql.Literal(name), sql.Identifier(name)]
    return sql.SQL("(t.props || jsonb_build_object({}))").format(sql.SQL(", ").join(pairs))


def _filters(layer: Layer, county_code, bbox, interval, codes=None):
    where, params = [], []
    if county_code:
        where.append(sql.SQL("t.county_code = %s"))
        params.append(county_code)
    if bbox is not None:
        where.append(sql.SQL("t.geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326)"))
        params += list(bbox)
    if interval is not None and layer.time:
        start, end = interval
        if start is not None:
            where.append(sql.SQL("t.{} >= %s").format(sql.Identifier(layer.time)))
            params.append(start)
        if end is not None:
            where.append(sql.SQL("t.{} <= %s").format(sql.Identifier(layer.time)))
            params.append(end)
    if codes is not None:
        where.append(sql.SQL("t.code = ANY(%s)"))
        params.append(list(codes))
    clause = sql.SQL(" WHERE ") + sql.SQL(" AND ").join(where) if where else sql.SQL("")
    return clause, params


def query_features(conn, layer: Layer, *, county_code=None, bbox=None, interval=None,
                   limit: int = 100, offset: int = 0, codes=None, precision: int = 7):
    """Return (features, number_matched) of ``layer`` as GeoJSON dicts (WGS 84 lon/lat).

    bbox: (minx, miny, maxx, maxy) in degrees; interval: (start, end), either None
    for open. Ordered by code so that paging is stable.
    """
    where, params = _filters(layer, county_code, bbox, interval, codes)
    table = sql.Identifier(layer.table)
    count_q = sql.SQL("SELECT count(*) FROM {} t").format(table) + where
    rows_q = sql.SQL(
        "SELECT json_build_object('type', 'Feature', 'id', t.code,"
        " 'geometry', ST_AsGeoJSON(t.geom, {prec})::json, 'properties', {props})"
        " FROM {table} t").format(prec=sql.Literal(precision), props=_properties(layer),
                                  table=table) + where + sql.SQL(
        " ORDER BY t.code LIMIT %s OFFSET %s")
    with conn.cursor() as cur:
        cur.execute(count_q, params)
        matched = cur.fetchone()[0]
        cur.execute(rows_q, params + [limit, offset])
        features = [row[0] for row in cur.fetchall()]
    return features, matched


def get_feature(conn, layer: Layer, code: str, county_code=None) -> dict:
    """Return one feature by code; raise FeatureNotFound."""
    features, _ = query_features(conn, layer, county_code=county_code, codes=[code], limit=1)
    if not features:
        raise FeatureNotFound(f"图层 {layer.name} 中没有编码为 '{code}' 的要素")
    return features[0]


def extent(conn, layer: Layer, county_code=None) -> dict:
    """Return {'bbox': [minx, miny, maxx, maxy] or None, 'interval': [start, end] or None}."""
    where, params = _filters(layer, county_code, None, None)
    with conn.cursor() as cur:
        cur.execute(sql.SQL("SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM "
                            "(SELECT ST_Extent(t.geom) AS e FROM {} t").format(
                                sql.Identifier(layer.table)) + where + sql.SQL(") s"), params)
        box = cur.fetchone()
        interval = None
        if layer.time:
            cur.execute(sql.SQL("SELECT min(t.{c}), max(t.{c}) FROM {tab} t").format(
                c=sql.Identifier(layer.time), tab=sql.Identifier(layer.table)) + where, params)
            lo, hi = cur.fetchone()
            if lo is not None:
                interval = [lo, hi]
    bbox = list(box) if box and box[0] is not None else None
    return {"bbox": bbox, "interval": interval}
