"""The history of imports and their undo (migration 0013).

An import opens its entry (``begin``) inside the write's savepoint, so a refused file
leaves none. Before each chunk is written, the rows it will update are kept as they were
(``keep_rows``: every column as jsonb, geometries as hex EWKB so they come back bit for
bit); with ``replace`` every row of the layer is kept before it is emptied; the ids of
the rows the chunk added are kept as one array (``keep_added``). ``finish`` writes the
counts and warnings.

``undo`` takes the layer back in one statement group: the rows the import added are
deleted, the rows it updated or removed are put back exactly (same id, every column,
``updated_at`` included); derived columns come back as kept, and the triggers of the
layer's table (camera sectors, incident focus, layer versions) run as on any insert.
Only the last import of a layer that is not undone may be undone; an undo is entered in
the history too (``undoes``) and is not itself undone. Imports and undos of one layer of
a county take turns (a transaction-level advisory lock).
"""
from __future__ import annotations

import psycopg2
from psycopg2 import sql
from psycopg2.extras import Json

from layers.catalog import importable_layer as get_layer
from layers.db import savepoint
from layers.errors import Conflict, FeatureNotFound

COLUMNS = ("id", "layer", "actor", "at", "file_name", "checksum", "replace", "rows_added", "rows_updated",
           "rows_removed", "warnings", "undoes", "undone_by", "undoable")
SELECT = """
    SELECT i.id, i.layer, i.actor, i.at, i.file_name, i.checksum, i.replace, i.rows_added,
           i.rows_updated, i.rows_removed, i.warnings, i.undoes, i.undone_by,
           (i.undoes IS NULL AND i.undone_by IS NULL AND i.id = (
               SELECT max(j.id) FROM imports j WHERE j.county_code = i.county_code
               AND j.layer = i.layer AND j.undoes IS NULL AND j.undone_by IS NULL)) AS undoable
    FROM imports i WHERE i.county_code = %(county)s"""


def _lock(cur, county_code: str, layer: str) -> None:
    """Imports and undos of one layer of a county take turns until the transaction ends."""
    cur.execute("SELECT pg_advisory_xact_lock(hashtext('imports'), hashtext(%s))", (f"{county_code}/{layer}",))


def begin(conn, county_code: str, layer: str, *, actor: str | None, file_name: str | None,
          checksum: str | None, replace: bool) -> int:
    """Open the history entry of an import (waiting for another import or undo of the
    same layer to end); return its id."""
    with conn.cursor() as cur:
        _lock(cur, county_code, layer)
        cur.execute("INSERT INTO imports (county_code, layer, actor, file_name, checksum, replace)"
                    " VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
                    (county_code, layer, actor, file_name, checksum, replace))
        return cur.fetchone()[0]


def _image(conn, table: str) -> sql.Composable:
    """The expression of a row of ``table`` (aliased t) as kept: a jsonb object of every
    column, geometries as hex EWKB (exact, and cheaper than the GeoJSON to_jsonb makes)."""
    with conn.cursor() as cur:
        cur.execute("SELECT attname, atttypid = 'geometry'::regtype FROM pg_attribute"
                    " WHERE attrelid = to_regclass(%s) AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                    (table,))
        columns = cur.fetchall()
    pairs = [sql.SQL("{}, encode(ST_AsEWKB(t.{}), 'hex')" if geometry else "{}, t.{}").format(
        sql.Literal(name), sql.Identifier(name)) for name, geometry in columns]
    parts = [sql.SQL("jsonb_build_object({})").format(sql.SQL(", ").join(pairs[i:i + 40]))
             for i in range(0, len(pairs), 40)]       # at most 100 arguments a call
    return sql.SQL(" || ").join(parts)


def keep_rows(conn, import_id: int, table: str, county_code: str, codes: list[str] | None = None) -> int:
    """Keep the rows of ``table`` whose code is in ``codes`` (every row of the county when
    None) as they are now, before the import changes or removes them; return how many."""
    where = sql.SQL("" if codes is None else " AND t.code = ANY(%(codes)s)")
    with conn.cursor() as cur:
        cur.execute(sql.SQL("INSERT INTO import_before_rows (import_id, row_id, image)"
                            " SELECT %(import)s, t.id, {image} FROM {table} t"
                            " WHERE t.county_code = %(county)s{where}").format(
            image=_image(conn, table), table=sql.Identifier(table), where=where),
            {"import": import_id, "county": county_code, "codes": codes})
        return cur.rowcount


def keep_added(conn, import_id: int, ids: list[int]) -> None:
    """Keep the ids of rows the import added (one array)."""
    if ids:
        with conn.cursor() as cur:
            cur.execute("INSERT INTO import_added_rows (import_id, ids) VALUES (%s, %s)", (import_id, ids))


def finish(conn, import_id: int, *, added: int, updated: int, removed: int, warnings: list[str]) -> None:
    """Write what the import did into its entry."""
    with conn.cursor() as cur:
        cur.execute("UPDATE imports SET rows_added = %s, rows_updated = %s, rows_removed = %s, warnings = %s"
                    " WHERE id = %s", (added, updated, removed, Json(list(warnings)), import_id))


def _rows(cur) -> list[dict]:
    return [dict(zip(COLUMNS, row), at=row[3].isoformat()) for row in cur.fetchall()]


def entries(conn, county_code: str, *, layer: str | None = None, limit: int = 100,
            before_id: int | None = None) -> list[dict]:
    """The newest entries first (of one layer when given; older than ``before_id`` when given).
    ``undoable``: the entry is the last import of its layer not yet undone."""
    with conn.cursor() as cur:
        cur.execute(SELECT + " AND (%(layer)s::text IS NULL OR i.layer = %(layer)s)"
                    " AND (%(before)s::bigint IS NULL OR i.id < %(before)s) ORDER BY i.id DESC LIMIT %(limit)s",
                    {"county": county_code, "layer": layer, "before": before_id, "limit": limit})
        return _rows(cur)


def entry(conn, county_code: str, import_id: int) -> dict:
    """One entry; FeatureNotFound when the county has none of that id."""
    with conn.cursor() as cur:
        cur.execute(SELECT + " AND i.id = %(id)s", {"county": county_code, "id": import_id})
        rows = _rows(cur)
    if not rows:
        raise FeatureNotFound(f"没有编号为 {import_id} 的导入记录")
    return rows[0]


def last_per_layer(conn, county_code: str) -> dict[str, dict]:
    """Each layer's newest entry (an import or an undo), by layer name."""
    with conn.cursor() as cur:
        cur.execute(SELECT + " AND i.id IN (SELECT max(id) FROM imports WHERE county_code = %(county)s"
                    " GROUP BY layer) ORDER BY i.layer", {"county": county_code})
        return {row["layer"]: row for row in _rows(cur)}


def last_undoable(conn, county_code: str, layer: str) -> int | None:
    """The id of the last import of ``layer`` not yet undone (the one ``undo`` accepts)."""
    with conn.cursor() as cur:
        cur.execute("SELECT max(id) FROM imports WHERE county_code = %s AND layer = %s AND undoes IS NULL"
                    " AND undone_by IS NULL", (county_code, layer))
        return cur.fetchone()[0]


def _undoable(cur, county_code: str, import_id: int) -> dict:
    """The entry ``import_id`` (locked), when it may be undone; else a Conflict saying why."""
    cur.execute("SELECT layer, undoes, undone_by FROM imports WHERE county_code = %s AND id = %s FOR UPDATE",
                (county_code, import_id))
    row = cur.fetchone()
    if row is None:
        raise FeatureNotFound(f"没有编号为 {import_id} 的导入记录")
    layer, undoes, undone_by = row
    _lock(cur, county_code, layer)
    if undoes is not None:
        raise Conflict(f"第 {import_id} 条记录是对第 {undoes} 次导入的撤销，撤销不能再撤销")
    if undone_by is not None:
        raise Conflict(f"第 {import_id} 次导入已被撤销（见第 {undone_by} 条记录），不能再次撤销")
    cur.execute("SELECT max(id) FROM imports WHERE county_code = %s AND layer = %s AND undoes IS NULL"
                " AND undone_by IS NULL", (county_code, layer))
    last = cur.fetchone()[0]
    if last != import_id:
        raise Conflict(f"只能撤销图层“{get_layer(layer).title}”最近一次导入（第 {last} 次）；"
                       f"第 {import_id} 次导入之后该图层又导入过数据")
    return {"layer": layer}


def _restore(cur, import_id: int, table: str) -> tuple[int, int, int]:
    """Delete the rows the import added, put back those it updated or removed as they were.
    Returns (rows put back that it had removed, rows put back that it had updated, rows
    deleted that it had added)."""
    ident = sql.Identifier(table)
    cur.execute(sql.SQL("DELETE FROM {} WHERE id IN (SELECT unnest(ids) FROM import_added_rows"
                        " WHERE import_id = %s)").format(ident), (import_id,))
    deleted = cur.rowcount
    cur.execute(sql.SQL("DELETE FROM {} WHERE id IN (SELECT row_id FROM import_before_rows"
                        " WHERE import_id = %s)").format(ident), (import_id,))
    updated = cur.rowcount
    cur.execute(sql.SQL("INSERT INTO {t} SELECT r.* FROM import_before_rows b,"
                        " jsonb_populate_record(NULL::{t}, b.image) r WHERE b.import_id = %s"
                        " ORDER BY r.id").format(t=ident), (import_id,))
    return cur.rowcount - updated, updated, deleted


def undo(conn, county_code: str, import_id: int, actor: str | None) -> int:
    """Undo import ``import_id`` (the last of its layer not yet undone), enter the undo in
    the history and return its id. FeatureNotFound for an unknown id, Conflict when the
    import may not be undone. Does not commit."""
    with conn.cursor() as cur:
        layer = _undoable(cur, county_code, import_id)["layer"]
        try:
            with savepoint(conn, "import_undo"):
                added, updated, removed = _restore(cur, import_id, get_layer(layer).table)
        except psycopg2.IntegrityError as err:   # a code taken again since, by other means
            raise Conflict(f"无法撤销第 {import_id} 次导入：图层“{get_layer(layer).title}”的数据在导入后被改动，"
                           f"原有的行无法放回（{str(err).strip().splitlines()[0]}）") from None
        cur.execute("INSERT INTO imports (county_code, layer, actor, file_name, checksum, replace, rows_added,"
                    " rows_updated, rows_removed, undoes) SELECT county_code, layer, %s, file_name, checksum,"
                    " replace, %s, %s, %s, id FROM imports WHERE id = %s RETURNING id",
                    (actor, added, updated, removed, import_id))
        undo_id = cur.fetchone()[0]
        cur.execute("UPDATE imports SET undone_by = %s WHERE id = %s", (undo_id, import_id))
        return undo_id
