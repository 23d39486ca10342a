"""Reads of features as GeoJSON, for the OGC API and the map."""
from __future__ import annotations

from psycopg2 import sql

from geo.calendar import TIMEZONE as LOCAL_TZ  # dates (days without a time) are local days
from layers.catalog import Layer
from layers.cql import compile_filter
from layers.errors import FeatureNotFound


def _declared(layer: Layer) -> list[str]:
    return ["code"] + [c.name for c in layer.columns if c.name != "code"]


def _properties(layer: Layer, only=None) -> sql.Composable:
    """jsonb of the declared columns plus the extra ones kept in props; with ``only``
    (declared names), those columns alone."""
    cols = _declared(layer) if only is None else [n for n in _declared(layer) if n in only]
    pairs = []
    for name in cols:
        pairs += [sql.Literal(name), sql.Identifier(name)]
    built = sql.SQL("jsonb_build_object({})").format(sql.SQL(", ").join(pairs))
    return built if only is not None else sql.SQL("(t.props || {})").format(built)


def _column(layer: Layer, name: str) -> sql.Identifier:
    """A column of the layer by its catalog name (never a name from the request)."""
    if name not in _declared(layer):
        raise ValueError(f"{name} is not a column of {layer.name}")
    return sql.Identifier(name)


def _property_filters(layer: Layer, equal: dict) -> tuple[list, list]:
    """Equality on declared columns; a timestamp's value is a closed (start, end)."""
    where, params = [], []
    for name, value in equal.items():
        col = _column(layer, name)
        if isinstance(value, tuple):
            where.append(sql.SQL("t.{} BETWEEN %s AND %s").format(col))
            params += list(value)
        else:
            where.append(sql.SQL("t.{} = %s").format(col))
            params.append(value)
    return where, params


def _order(layer: Layer, sortby) -> sql.Composable:
    """ORDER BY keys: the asked ones, then code (unless asked) and county: the keys are
    unique, so paging is stable."""
    keys = [sql.SQL("t.{}{}").format(_column(layer, name), sql.SQL(" DESC" if desc else ""))
            for name, desc in sortby or ()]
    if "code" not in [name for name, _ in sortby or ()]:
        keys.append(sql.SQL("t.code"))
    return sql.SQL(", ").join(keys + [sql.SQL("t.county_code")])


def _bbox_filter(bbox, srid: int = 4326) -> tuple[sql.Composable, list]:
    """Features whose geometry intersects bbox; minx > maxx crosses the antimeridian.

    A bbox in another (projected, x east) CRS is densified and transformed to WGS 84 first:
    its edges stay the CRS's straight lines."""
    minx, miny, maxx, maxy = bbox
    if srid != 4326:
        step = max(maxx - minx, maxy - miny, 1e-6) / 32
        return (sql.SQL("ST_Intersects(t.geom, ST_Transform(ST_Segmentize("
                        "ST_MakeEnvelope(%s, %s, %s, %s, %s), %s), 4326))"),
                [minx, miny, maxx, maxy, srid, step])
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


def _filters(layer: Layer, county_code, bbox, interval, codes=None, equal=None, bbox_srid=4326, cql=None):
    where, params = _property_filters(layer, equal or {})
    if county_code:
        where.append(sql.SQL("t.county_code = %s"))
        params.append(county_code)
    if bbox is not None:
        clause, values = _bbox_filter(bbox, bbox_srid)
        where.append(clause)
        params += values
    if interval is not None and layer.time:
        clauses, values = _time_filter(layer, interval)
        where += clauses
        params += values
    if codes is not None:
        where.append(sql.SQL("t.code = ANY(%s)"))
        params.append(list(codes))
    if cql is not None:
        condition, values = compile_filter(layer, cql)
        where.append(condition)
        params += values
    clause = sql.SQL(" WHERE ") + sql.SQL(" AND ").join(where) if where else sql.SQL("")
    return clause, params


def query_features(conn, layer: Layer, *, county_code=None, bbox=None, interval=None,
                   limit: int = 100, offset: int = 0, codes=None, precision: int = 7,
                   equal=None, sortby=None, properties=None, geometry: bool = True,
                   bbox_srid: int = 4326, srid: int = 4326, flip: bool = False, cql=None):
    """Return (features, number_matched) of ``layer`` as GeoJSON dicts (WGS 84 lon/lat).

    bbox: (minx, miny, maxx, maxy) in degrees, features whose geometry intersects it
    (minx > maxx crosses the antimeridian; features without geometry never match);
    interval: (start, end) aware datetimes, closed, either None for open; on a date
    column a day matches when it intersects the interval (local calendar).
    equal: {column: value} equality filters (a timestamp's value: closed (start, end));
    sortby: [(column, descending)], then code: paging is stable; properties: the
    declared columns each feature keeps (None: all); geometry False: geometry null.
    Columns are the catalog's: a name that is not one raises ValueError. Dates and times
    in the properties are ISO 8601 strings (times in the connection's time zone).
    bbox_srid: the bbox's CRS (x east); srid, flip: geometries transformed to that CRS,
    axes swapped when flip (north first). cql: a checked CQL2 filter (``web.ogc.cql``).
    """
    where, params = _filters(layer, county_code, bbox, interval, codes, equal, bbox_srid, cql)
    with conn.cursor() as cur:
        page = _page_query(layer, where, precision, _order(layer, sortby), properties, geometry, (srid, flip))
        cur.execute(page, params + [limit, offset])
        features = [row[0] for row in cur.fetchall()]
        if (limit is None or len(features) < limit) and (features or offset == 0):
            return features, offset + len(features)  # the last page: no need to count
        cur.execute(sql.SQL("SELECT count(*) FROM {} t").format(sql.Identifier(layer.table)) + where, params)
        matched = cur.fetchone()[0]
    return features, matched


def _page_query(layer: Layer, where: sql.Composable, precision: int, order: sql.Composable,
                properties=None, geometry: bool = True, crs=(4326, False)) -> sql.Composable:
    """The page's keys first (by default ORDER BY code, then county: the unique index,
    read alone when only the county filters), then JSON built for those rows only: a deep
    OFFSET skips index entries, not GeoJSON documents. The joined row is the page's own,
    so ordering it by the same keys gives the page's order."""
    geom = _geometry(crs, precision) if geometry else sql.SQL("NULL")
    return sql.SQL(
        "SELECT json_build_object('type', 'Feature', 'id', t.code,"
        " 'geometry', {geom}, 'properties', {props})"
        " FROM (SELECT t.county_code AS page_county, t.code AS page_code FROM {table} t{where}"
        " ORDER BY {order} LIMIT %s OFFSET %s) page"
        " JOIN {table} t ON t.county_code = page.page_county AND t.code = page.page_code"
        " ORDER BY {order}").format(
            geom=geom, props=_properties(layer, properties), table=sql.Identifier(layer.table),
            where=where, order=order)


def _geometry(crs, precision: int) -> sql.Composable:
    """GeoJSON of t.geom in crs (srid, flip); metres to the millimetre."""
    srid, flip = crs
    geom = sql.SQL("t.geom") if srid == 4326 else sql.SQL("ST_Transform(t.geom, {})").format(sql.Literal(srid))
    if flip:
        geom = sql.SQL("ST_FlipCoordinates({})").format(geom)
    digits = precision if srid in (4326, 4490) else 3
    return sql.SQL("ST_AsGeoJSON({}, {})::json").format(geom, sql.Literal(digits))


def get_feature(conn, layer: Layer, code: str, county_code=None, srid: int = 4326, flip: bool = False) -> dict:
    """Return one feature by code (in srid, axes swapped when flip); raise FeatureNotFound.
    One statement, on the (county_code, code) index, without counting."""
    where, params = _filters(layer, county_code, None, None, equal={"code": code})
    with conn.cursor() as cur:
        cur.execute(sql.SQL("SELECT json_build_object('type', 'Feature', 'id', t.code, 'geometry', {geom},"
                            " 'properties', {props}) FROM {table} t{where} ORDER BY t.county_code LIMIT 1").format(
            geom=_geometry((srid, flip), 7), props=_properties(layer), table=sql.Identifier(layer.table),
            where=where), params)
        row = cur.fetchone()
    if row is None:
        raise FeatureNotFound(f"图层 {layer.name} 中没有编码为 '{code}' 的要素")
    return row[0]


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


def grouped_counts(conn, layer: Layer, columns: tuple[str, ...], county_code=None,
                   interval=None) -> list[tuple[dict, int]]:
    """[({column: value}, rows)] of ``layer`` counted by the values of ``columns`` (none:
    one group), within the county and interval; geometries are not read. For a map's
    legend when the features themselves come from tiles."""
    where, params = _filters(layer, county_code, None, interval)
    cols = [_column(layer, name) for name in columns]
    pick = sql.SQL(", ").join([sql.SQL("t.{}").format(c) for c in cols] + [sql.SQL("count(*)")])
    query = sql.SQL("SELECT {} FROM {} t").format(pick, sql.Identifier(layer.table)) + where
    if cols:
        query += sql.SQL(" GROUP BY ") + sql.SQL(", ").join(sql.SQL(str(i + 1)) for i in range(len(cols)))
    with conn.cursor() as cur:
        cur.execute(query, params)
        return [(dict(zip(columns, row[:-1])), row[-1]) for row in cur.fetchall()]
