"""Mapbox vector tiles of the county's layers, made by PostGIS (``ST_AsMVT``).

Each source is a layer of the catalog (or camera sectors, from the sector kept beside
each camera, migration 0004), with the columns its popup lists plus what the map styles
it by. A tile holds the county's rows whose geometry meets the tile's envelope (EPSG:3857,
``ST_TileEnvelope``) plus a buffer of BUFFER tile units, clipped, in EXTENT units.
Point layers with ``aggregate_below`` are gathered, below that zoom, into a grid of
GRID × GRID cells per tile: one point per cell (the mean position of its points) with a
``count``, so a tile holds at most GRID² features however many points there are; a point
belongs to exactly one tile then (half-open envelope), so the counts of a zoom sum to
the number of points. Patrol tracks are one line per team and local day, like the map.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from psycopg2 import sql

from geo.calendar import TIMEZONE
from layers.catalog import LAYERS, Column, Layer

EXTENT = 4096
BUFFER = 64
GRID = 64           # cells per tile side when points are gathered
MAX_ZOOM = 22
AGGREGATE_BELOW = {"incidents": 14, "cameras": 12}  # demo county: incidents at z12 reach 510 KB
FILTERS = ("since", "until", "status", "quarter", "category", "focus")
COUNT = Column("count", "int", "数量（低缩放级别按网格聚合）")


@dataclass(frozen=True)
class Source:
    """What one tile layer is drawn from."""

    name: str
    layer: Layer
    geom: str                      # the geometry column of the layer's table
    columns: tuple[Column, ...]    # attributes of each feature
    aggregate_below: int | None = None
    minzoom: int = 0

    @property
    def tables(self) -> tuple[str, ...]:
        extra = ("incident_focus_map",) if self.layer.name == "incidents" else ()
        return (self.layer.table, *extra)

    def filters(self) -> tuple[str, ...]:
        """The query filters that apply to this source."""
        out = ["since", "until"] if self.layer.time else []
        return tuple(out + [f for f in FILTERS[2:] if self.layer.column(f) is not None])

    def choices(self, name: str) -> tuple[str, ...]:
        column = self.layer.column(name)
        return column.choices if column is not None else ()


def _attributes(layer: Layer, popup: tuple[Column, ...]) -> tuple[Column, ...]:
    """The popup's columns, plus the code (to fetch a popup on demand) and the styling column."""
    names = ["code"] + [c.name for c in popup] + ([layer.look.by] if layer.look.by else [])
    out, seen = [], set()
    for name in names:
        column = layer.column(name)
        if column is not None and name not in seen:
            seen.add(name)
            out.append(column)
    return tuple(out)


def _sources() -> dict[str, Source]:
    out = {}
    for layer in LAYERS.values():
        if layer.name == "patrol_tracks":
            columns = layer.look.popup
        else:
            columns = _attributes(layer, layer.popup)
        out[layer.name] = Source(layer.name, layer, "geom", columns, AGGREGATE_BELOW.get(layer.name))
        companion = layer.look.companion
        if companion is not None and layer.name == "cameras":
            out[companion.name] = Source(companion.name, layer, "sector",
                                         _attributes(layer, companion.look.popup or ()), minzoom=12)
    return out


class _Sources(Mapping):
    """The tile sources of the catalog as it is now: a layer added to ``LAYERS`` (a new
    layer's catalog entry) has its tiles without a restart of anything that imported this."""

    def __init__(self):
        self._key, self._made = None, {}

    def _now(self) -> dict[str, Source]:
        key = tuple((name, id(layer)) for name, layer in LAYERS.items())
        if key != self._key:
            self._key, self._made = key, _sources()
        return self._made

    def __getitem__(self, name: str) -> Source:
        return self._now()[name]

    def __iter__(self):
        return iter(self._now())

    def __len__(self) -> int:
        return len(self._now())


SOURCES: Mapping[str, Source] = _Sources()


def _value(column: Column) -> sql.Composable:
    """The column as an MVT attribute: dates and times as ISO 8601 text (as the OGC API
    gives them), numbers as float8/int8, the rest as text or bool."""
    ident = sql.SQL("t.{}").format(sql.Identifier(column.name))
    kind = column.kind
    if kind in ("date", "timestamp"):
        expr = sql.SQL("to_jsonb({}) #>> '{{}}'").format(ident)
    elif kind == "float":
        expr = sql.SQL("{}::float8").format(ident)
    elif kind == "int":
        expr = sql.SQL("{}::int8").format(ident)
    elif kind == "bool":
        expr = ident
    else:
        expr = sql.SQL("{}::text").format(ident)
    return sql.SQL("{} AS {}").format(expr, sql.Identifier(column.name))


def _where(source: Source, filters: dict) -> tuple[sql.Composable, dict]:
    """The county and the filters given (already checked: see web.services.tiles)."""
    layer, where = source.layer, [sql.SQL("t.county_code = %(county)s"),
                                  sql.SQL("t.{} IS NOT NULL").format(sql.Identifier(source.geom))]
    params = {}
    if layer.time and (filters.get("since") or filters.get("until")):
        col = sql.Identifier(layer.time)
        dated = layer.column(layer.time).kind == "date"
        start = sql.SQL("%(since)s") if dated else sql.SQL("(%(since)s::date::timestamp AT TIME ZONE {})").format(
            sql.Literal(TIMEZONE))
        end = sql.SQL("%(until)s + 1") if dated else sql.SQL(
            "((%(until)s::date + 1)::timestamp AT TIME ZONE {})").format(sql.Literal(TIMEZONE))
        if filters.get("since"):
            where.append(sql.SQL("t.{} >= ").format(col) + start)
            params["since"] = filters["since"]
        if filters.get("until"):
            where.append(sql.SQL("t.{} < ").format(col) + end)
            params["until"] = filters["until"]
    for name in ("status", "quarter", "category", "focus"):
        if filters.get(name):
            where.append(sql.SQL("t.{} = ANY(%({})s)").format(sql.Identifier(name), sql.SQL(name)))
            value = filters[name]
            params[name] = [value] if isinstance(value, str) else list(value)
    return sql.SQL(" AND ").join(where), params


ENVELOPE = "WITH env AS (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS e)"
# the envelope (plus margin) in degrees, for the geometry index: Mercator keeps boxes boxes
NEAR = "t.{g} && ST_Transform(ST_Expand(env.e, %(margin)s), 4326)"


def _features_sql(source: Source, where: sql.Composable) -> sql.Composable:
    attrs = sql.SQL("").join(sql.SQL(", ") + _value(c) for c in source.columns)
    return sql.SQL(
        ENVELOPE + ", mvt AS (SELECT ST_AsMVTGeom(ST_Transform(t.{g}, 3857), env.e, {ext}, {buf}, true) AS geom{attrs}"
        " FROM {table} t, env WHERE " + NEAR + " AND {where})"
        " SELECT ST_AsMVT(mvt, %(name)s, {ext}, 'geom') FROM mvt WHERE geom IS NOT NULL").format(
        g=sql.Identifier(source.geom), ext=sql.Literal(EXTENT), buf=sql.Literal(BUFFER), attrs=attrs,
        table=sql.Identifier(source.layer.table), where=where)


def _cells_sql(source: Source, where: sql.Composable) -> sql.Composable:
    """Counted cells: EPSG:3857 coordinates worked out by the spherical Mercator formula
    (what ST_Transform does for 3857, without its cost per point), grouped by cell and by
    the column the map colours the layer by (a cell per status of cameras), so that the
    colours survive at low zooms."""
    by = source.layer.look.by if source.layer.look.by and source.layer.column(source.layer.look.by) else None
    keep = sql.SQL(", t.{} AS k").format(sql.Identifier(by)) if by else sql.SQL(", NULL::text AS k")
    out = sql.SQL(", k AS {}").format(sql.Identifier(by)) if by else sql.SQL("")
    return sql.SQL(
        ENVELOPE + ", b AS (SELECT e, ST_XMin(e) AS x0, ST_YMax(e) AS y1, ST_XMax(e) - ST_XMin(e) AS size FROM env),"
        " pts AS MATERIALIZED (SELECT {r} * radians(ST_X(t.{g})) AS px,"
        "  {r} * ln(tan(pi() / 4 + radians(ST_Y(t.{g})) / 2)) AS py{keep} FROM {table} t, env WHERE " + NEAR
        + " AND {where}),"
        " cells AS (SELECT floor((px - x0) / size * {grid}) AS cx, floor((y1 - py) / size * {grid}) AS cy, k,"
        "  avg(px) AS ax, avg(py) AS ay, count(*) AS n FROM pts, b"
        "  WHERE px >= x0 AND px < x0 + size AND py > y1 - size AND py <= y1 GROUP BY 1, 2, 3),"
        " mvt AS (SELECT ST_AsMVTGeom(ST_SetSRID(ST_MakePoint(ax, ay), 3857), b.e, {ext}, 0, false) AS geom,"
        "  n::int8 AS count{out} FROM cells, b)"
        " SELECT ST_AsMVT(mvt, %(name)s, {ext}, 'geom') FROM mvt WHERE geom IS NOT NULL").format(
        g=sql.Identifier(source.geom), r=sql.Literal(6378137.0), ext=sql.Literal(EXTENT), grid=sql.Literal(GRID),
        table=sql.Identifier(source.layer.table), where=where, keep=keep, out=out)


def _tracks_sql(source: Source, where: sql.Composable) -> sql.Composable:
    """One line per team and local day (as the map joins them) that comes near the tile,
    made of all that day's points but those flagged as inaccurate (phones, issue 15); the
    day's first time kept."""
    day = "(t.recorded_at AT TIME ZONE {tz})::date"
    return sql.SQL(
        ENVELOPE + ", days AS (SELECT DISTINCT t.team_code, " + day + " AS day FROM patrol_tracks t, env"
        " WHERE " + NEAR + " AND {where}),"
        " lines AS (SELECT t.team_code, min(t.recorded_at) AS first_at, count(*) AS points,"
        "  ST_MakeLine(t.geom ORDER BY t.recorded_at) AS line FROM patrol_tracks t JOIN days d"
        "  ON t.team_code = d.team_code AND t.recorded_at >= (d.day::timestamp AT TIME ZONE {tz})"
        "  AND t.recorded_at < ((d.day + 1)::timestamp AT TIME ZONE {tz})"
        "  WHERE {where} AND NOT t.props ? 'flagged' GROUP BY t.team_code, d.day),"
        " mvt AS (SELECT ST_AsMVTGeom(ST_Transform(line, 3857), env.e, {ext}, {buf}, true) AS geom,"
        "  team_code, to_jsonb(first_at) #>> '{{}}' AS recorded_at, points::int8 AS points FROM lines, env)"
        " SELECT ST_AsMVT(mvt, %(name)s, {ext}, 'geom') FROM mvt WHERE geom IS NOT NULL").format(
        g=sql.Identifier("geom"), tz=sql.Literal(TIMEZONE), ext=sql.Literal(EXTENT), buf=sql.Literal(BUFFER),
        where=where)


def aggregated(source: Source, z: int) -> bool:
    return source.aggregate_below is not None and z < source.aggregate_below


def render(conn, source: Source, county_code: str, z: int, x: int, y: int, filters: dict) -> bytes:
    """The tile z/x/y of ``source`` (b'' when nothing falls in it). ``filters``: checked values
    of FILTERS (dates as date, lists as tuples of strings)."""
    if z < source.minzoom:
        return b""
    where, params = _where(source, filters)
    if source.name == "patrol_tracks":
        query = _tracks_sql(source, where)
    elif aggregated(source, z):
        query = _cells_sql(source, where)
    else:
        query = _features_sql(source, where)
    margin = 2 * 20037508.342789244 / 2 ** z * (BUFFER + 1) / EXTENT
    params.update(county=county_code, z=z, x=x, y=y, name=source.name, margin=margin)
    with conn.cursor() as cur:
        cur.execute(query, params)
        row = cur.fetchone()
    return bytes(row[0]) if row and row[0] is not None else b""


def as_text(value) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)
