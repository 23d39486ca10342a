"""Bulk writes of whole counties: COPY of ready-made CSV, and the removal of counties.

For the province-scale demo (``data.province``): millions of rows go in through COPY,
not through the row-by-row upsert of ``layers.store``.
"""
from __future__ import annotations

import io
from contextlib import contextmanager

from psycopg2 import sql

from layers.catalog import LAYERS, Layer


def copy_csv(conn, layer: Layer, columns: list[str], data: bytes) -> None:
    """COPY ``data`` (CSV without a header: an unquoted empty field is NULL) into the
    layer's table, into ``columns``. Does not commit."""
    statement = sql.SQL("COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)").format(
        table=sql.Identifier(layer.table), columns=sql.SQL(", ").join(map(sql.Identifier, columns)))
    with conn.cursor() as cur:
        cur.copy_expert(statement, io.BytesIO(data), size=1 << 20)


# The indexes of a table that no constraint needs (unique ones and the primary key stay).
PLAIN_INDEXES = """
    SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE i.indrelid = %s::regclass AND NOT i.indisunique AND NOT i.indisprimary ORDER BY c.relname"""


@contextmanager
def plain_indexes_set_aside(conn, *layers: Layer):
    """Drop the layers' plain indexes (time, GiST, …), yield, then build them again: one
    build of millions of rows is much faster than growing the index row by row. In the
    caller's transaction (nothing changes if it rolls back); readers of these tables wait
    for its end."""
    kept = []
    with conn.cursor() as cur:
        for layer in layers:
            cur.execute(PLAIN_INDEXES, (layer.table,))
            for name, definition in cur.fetchall():
                # a partitioned table's index is shown ON ONLY the parent: built again, it must
                # reach every partition
                kept.append(definition.replace(" ON ONLY ", " ON ", 1))
                cur.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    yield
    with conn.cursor() as cur:
        cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for definition in kept:
            cur.execute(definition)


def delete_counties(conn, codes: list[str]) -> None:
    """Remove every layer's rows of these counties. Does not commit."""
    with conn.cursor() as cur:
        for layer in LAYERS.values():
            cur.execute(sql.SQL("DELETE FROM {} WHERE county_code = ANY(%s)").format(
                sql.Identifier(layer.table)), (list(codes),))


def rows_by_county(conn, layer: Layer) -> dict[str, int]:
    """{county_code: rows} of one layer."""
    with conn.cursor() as cur:
        cur.execute(sql.SQL("SELECT county_code, count(*) FROM {} GROUP BY county_code").format(
            sql.Identifier(layer.table)))
        return dict(cur.fetchall())


def table_sizes(conn) -> dict[str, int]:
    """{table: bytes on disk, indexes and TOAST included} of every layer (all partitions of a
    partitioned one)."""
    with conn.cursor() as cur:
        cur.execute("SELECT c.relname, (SELECT sum(pg_total_relation_size(t.relid))::bigint"
                    " FROM pg_partition_tree(c.oid) t) FROM pg_class c"
                    " WHERE c.relname = ANY(%s) AND c.relkind IN ('r', 'p')",   # p: partitioned (patrol_tracks)
                    ([lay.table for lay in LAYERS.values()],))
        return dict(cur.fetchall())
