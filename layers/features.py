"""Reads of features as GeoJSON, for the OGC API and the map."""
from __future__ import annotations

from psycopg2 import sql

from geo.calendar import TIMEZONE as LOCAL_TZ  # dates (days without a time) are local days
from layers.catalog import Layer
from layers.errors import FeatureNotFound


def _properties(layer: Layer) -> sql.Composable:
    """jsonb of the declared columns plus the extra ones kept in props."""
    cols = ["code"] + [c.name for c in layer.columns if c.name != "code"]
    pairs = []
    for name in cols:
        pairs += [sql.Literal(name), sql.Identifier(name)]
    return sql.SQL("(t.props || jsonb_build_object({}))").format(sql.SQL(", ").join(pairs))


def _bbox_filter(bbox) -> tuple[sql.Composable, list]:
    """Features whose geometry intersects bbox; minx > maxx crosses the antimeridian."""
    minx, miny, maxx, maxy = bbox
    envelope = sql.SQL("ST_Intersects(t.geom, ST_MakeEnvelope(%s, %s, %s, %s, 4326))")
    if minx <= maxx:
        return envelope, [minx, miny, maxx, maxy]
    return (sql.SQL("({} OR {})").format(envelope, envelope),
            [minx, miny, 180.0, maxy, -180.0, miny, maxx, maxy])


def _time_filter(layer: Layer, interval) -> tuple[list, list]:
    """Closed interval (start, end) of aware datetimes, either None for open.

    A date column (a whole local day) matches when its day intersects the interval.
    """
    start, end = interval
    column = layer.column(layer.time)
    col = sql.Identifier(layer.time)
    if column is not None and column.kind == "date":
        bound = sql.SQL("(%s::timestamptz AT TIME ZONE {})::date").format(sql.Literal(LOCAL_TZ))
    else:
        bound = sql.SQL("%s")
    where, params = [], []
    if start is not None:
        where.append(sql.SQL("t.{} >= ").format(col) + bound)
        params.append(start)
    if end is not None:
        where.append(sql.SQL("t.{} <= ").format(col) + bound)
        params.append(end)
    return where, params


def _filters(layer: Layer, county_code, bbox, interval, codes=None):
    where, params = [], []
    if county_code:
        where.append(sql.SQL("t.county_code = %s"))
        params.append(county_code)
    if bbox is not None:
        clause, values = _bbox_filter(bbox)
        where.append(clause)
        params += values
    if interval is not None and layer.time:
        clauses, values = _time_filter(layer, interval)
        where += clauses
        params += values
    if codes is not None:
        where.append(sql.SQL("t.code = ANY(%s)"))
        params.append(list(codes))
    clause = sql.SQL(" WHERE ") + sql.SQL(" AND ").join(where) if where else sql.SQL("")
    return clause, params


def query_features(conn, layer: Layer, *, county_code=None, bbox=None, interval=None,
                   limit: int = 100, offset: int = 0, codes=None, precision: int = 7):
    """Return (features, number_matched) of ``layer`` as GeoJSON dicts (WGS 84 lon/lat).

    bbox: (minx, miny, maxx, maxy) in degrees, features whose geometry intersects it
    (minx > maxx crosses the antimeridian; features without geometry never match);
    interval: (start, end) aware datetimes, closed, either None for open; on a date
    column a day matches when it intersects the interval (local calendar).
    Ordered by code so that paging is stable. Dates and times in the properties are
    ISO 8601 strings (times in the connection's time zone).
    """
    where, params = _filters(layer, county_code, bbox, interval, codes)
    table = sql.Identifier(layer.table)
    count_q = sql.SQL("SELECT count(*) FROM {} t").format(table) + where
    with conn.cursor() as cur:
        cur.execute(count_q, params)
        matched = cur.fetchone()[0]
        cur.execute(_page_query(layer, where, precision), params + [limit, offset])
        features = [row[0] for row in cur.fetchall()]
    return features, matched


def _page_query(layer: Layer, where: sql.Composable, precision: int) -> sql.Composable:
    """The page's keys first (ORDER BY code, then county: the unique index, read alone
    when only the county filters), then JSON built for those rows only: a deep OFFSET
    skips index entries, not GeoJSON documents."""
    return sql.SQL(
        "SELECT json_build_object('type', 'Feature', 'id', t.code,"
        " 'geometry', ST_AsGeoJSON(t.geom, {prec})::json, 'properties', {props})"
        " FROM (SELECT t.county_code AS page_county, t.code AS page_code FROM {table} t{where}"
        " ORDER BY t.code, t.county_code LIMIT %s OFFSET %s) page"
        " JOIN {table} t ON t.county_code = page.page_county AND t.code = page.page_code"
        " ORDER BY page.page_code, page.page_county").format(
            prec=sql.Literal(precision), props=_properties(layer), table=sql.Identifier(layer.table), where=where)


def get_feature(conn, layer: Layer, code: str, county_code=None) -> dict:
    """Return one feature by code; raise FeatureNotFound."""
    features, _ = query_features(conn, layer, county_code=county_code, codes=[code], limit=1)
    if not features:
        raise FeatureNotFound(f"图层 {layer.name} 中没有编码为 '{code}' 的要素")
    return features[0]


def extent(conn, layer: Layer, county_code=None) -> dict:
    """Return {'bbox': [minx, miny, maxx, maxy] or None, 'interval': [start, end] or None}.

    interval holds the min and max of the layer's time column (dates or aware
    datetimes, as the column is); None when the layer has no time or no rows.
    """
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


COUNTY_BOUNDS = """
    SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)
    FROM (SELECT ST_Extent(geom) AS e FROM townships WHERE county_code = %(county)s) t"""


def county_bounds(conn, county_code: str) -> tuple[float, float, float, float] | None:
    """(minx, miny, maxx, maxy) in degrees of the county's townships, or None without any."""
    with conn.cursor() as cur:
        cur.execute(COUNTY_BOUNDS, {"county": county_code})
        row = cur.fetchone()
    return tuple(float(v) for v in row) if row and row[0] is not None else None
