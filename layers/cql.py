"""A checked CQL2 filter (``web.ogc.cql``) compiled into SQL with parameters.

Every column name comes from the layer's catalog (a name that is not one raises
ValueError); every value travels as a parameter. Timestamps compare as instants; a date
column's value is its whole local day [00:00, 24:00). Temporal relations are Allen's on
(start, end) pairs, an open end of an interval being -infinity or infinity.
"""
from __future__ import annotations

from psycopg2 import sql

from geo.calendar import TIMEZONE
from layers.catalog import Layer

OPS = {"=": "=", "<>": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
SPATIAL = {"s_intersects": "ST_Intersects", "s_disjoint": "ST_Disjoint", "s_within": "ST_Within",
           "s_contains": "ST_Contains", "s_equals": "ST_Equals", "s_touches": "ST_Touches",
           "s_overlaps": "ST_Overlaps", "s_crosses": "ST_Crosses"}
# Allen's relations of a = (as, ae) to b = (bs, be): (left, op, right) terms, all to hold
TEMPORAL = {
    "t_after": [("as", ">", "be")], "t_before": [("ae", "<", "bs")],
    "t_contains": [("as", "<", "bs"), ("ae", ">", "be")],
    "t_during": [("as", ">", "bs"), ("ae", "<", "be")],
    "t_equals": [("as", "=", "bs"), ("ae", "=", "be")],
    "t_finishedby": [("as", "<", "bs"), ("ae", "=", "be")],
    "t_finishes": [("as", ">", "bs"), ("ae", "=", "be")],
    "t_intersects": [("as", "<=", "be"), ("ae", ">=", "bs")],
    "t_meets": [("ae", "=", "bs")], "t_metby": [("as", "=", "be")],
    "t_overlappedby": [("as", ">", "bs"), ("as", "<", "be"), ("ae", ">", "be")],
    "t_overlaps": [("as", "<", "bs"), ("ae", ">", "bs"), ("ae", "<", "be")],
    "t_startedby": [("as", "=", "bs"), ("ae", ">", "be")],
    "t_starts": [("as", "=", "bs"), ("ae", "<", "be")],
}


class Compiler:
    """Compiles one checked tree of one layer; ``params`` collects the values in order."""

    def __init__(self, layer: Layer):
        self.names = {"code"} | {c.name for c in layer.columns}
        self.params: list = []

    def _value(self, value) -> sql.Composable:
        self.params.append(value)
        return sql.SQL("%s")

    def column(self, name: str) -> sql.Composable:
        if name not in self.names:
            raise ValueError(f"{name} is not a queryable column")
        return sql.SQL("t.{}").format(sql.Identifier(name))

    def predicate(self, node) -> sql.Composable:
        kind = node[0]
        if kind in ("and", "or"):
            joined = sql.SQL(f" {kind.upper()} ").join(self.predicate(n) for n in node[1])
            return sql.SQL("({})").format(joined)
        if kind == "not":
            return sql.SQL("(NOT {})").format(self.predicate(node[1]))
        if kind == "bool":
            return sql.SQL("TRUE" if node[1] else "FALSE")
        if kind == "cmp":
            return self._comparison(*node[1:])
        if kind == "like":
            return sql.SQL("({} LIKE {})").format(self.operand(node[1]), self.operand(node[2]))
        if kind == "in":
            return sql.SQL("({})").format(sql.SQL(" OR ").join(
                self._comparison("=", node[1], value) for value in node[2]))
        if kind == "between":
            return sql.SQL("({} AND {})").format(self._comparison(">=", node[1], node[2]),
                                                 self._comparison("<=", node[1], node[3]))
        if kind == "null":
            target = sql.SQL("t.geom") if node[1] == ("geom",) else self.operand(node[1])
            return sql.SQL("({} IS NULL)").format(target)
        if kind == "spatial":
            return sql.SQL("{}({}, {})").format(sql.SQL(SPATIAL[node[1]]), self._geometry(node[2]),
                                                self._geometry(node[3]))
        if kind == "time":
            return self._temporal(*node[1:])
        raise ValueError(f"unknown filter node {kind}")

    def operand(self, node) -> sql.Composable:
        if node[0] == "casei":
            return sql.SQL("lower({})").format(self.operand(node[1]))
        if node[0] == "col":
            return self.column(node[1])
        value = node[1]
        if node[2] == "timestamp":
            value = value[0]  # compared as an instant (a day's first moment)
        return self._value(value) if not isinstance(value, str) else sql.SQL("{}::text").format(
            self._value(value))

    def _comparison(self, op: str, left, right) -> sql.Composable:
        """left op right; a timestamp compared with a (start, end) value: '=' within it,
        '<' before its start, '<=' up to its end, and so on."""
        if right[0] == "val" and right[2] == "timestamp":
            start, end = right[1]
            col = self.operand(left)
            if op in ("=", "<>"):
                within = sql.SQL("{} BETWEEN {} AND {}").format(col, self._value(start), self._value(end))
                return sql.SQL("({})" if op == "=" else "(NOT ({}))").format(within)
            bound = start if op in ("<", ">=") else end
            return sql.SQL("({} {} {})").format(col, sql.SQL(OPS[op]), self._value(bound))
        return sql.SQL("({} {} {})").format(self.operand(left), sql.SQL(OPS[op]), self.operand(right))

    def _geometry(self, node) -> sql.Composable:
        if node == ("geom",):
            return sql.SQL("t.geom")
        _, wkb, srid = node
        literal = sql.SQL("ST_SetSRID({}::geometry, {})").format(self._value(wkb), sql.Literal(srid))
        return literal if srid == 4326 else sql.SQL("ST_Transform({}, 4326)").format(literal)

    def _end(self, node, which: int) -> sql.Composable:
        """The start (0) or end (1) of a period (a column) or of an instant or interval
        literal, as timestamptz; a literal's value is added to the parameters now."""
        if node[0] == "period":
            col = self.column(node[1])
            if node[2] == "timestamp":
                return col
            tz = sql.Literal(TIMEZONE)
            if which == 0:
                return sql.SQL("({}::timestamp AT TIME ZONE {})").format(col, tz)
            return sql.SQL("(({} + 1)::timestamp AT TIME ZONE {} - interval '1 microsecond')").format(col, tz)
        value = node[1 + which]
        if value is None:
            value = "-infinity" if which == 0 else "infinity"
        return sql.SQL("{}::timestamptz").format(self._value(value))

    def _temporal(self, op: str, a, b) -> sql.Composable:
        if op == "t_disjoint":
            return sql.SQL("(NOT {})").format(self._temporal("t_intersects", a, b))
        ends = {"as": (a, 0), "ae": (a, 1), "bs": (b, 0), "be": (b, 1)}
        # each end built where it is written: parameters follow the text's order
        terms = [sql.SQL("{} {} {}").format(self._end(*ends[x]), sql.SQL(o), self._end(*ends[y]))
                 for x, o, y in TEMPORAL[op]]
        return sql.SQL("({})").format(sql.SQL(" AND ").join(terms))


def compile_filter(layer: Layer, tree) -> tuple[sql.Composable, list]:
    """(SQL condition on the layer's table aliased t, its parameters) of a checked tree."""
    compiler = Compiler(layer)
    return compiler.predicate(tree), compiler.params
