"""The file's columns against the layer's: matching names, checking and converting values.

``match_columns`` maps the file's column names to the catalog's; ``check_columns`` checks
and converts every catalog column present (reporting each bad value); ``check_duplicates``
reports rows whose key (``code``, or the layer's key columns) repeats an earlier row's, in
the same chunk of the file or, through ``keys.SeenKeys``, in an earlier one.
"""
from __future__ import annotations

import logging
import re

import numpy as np
import pandas as pd

from data.importer.keys import SeenKeys
from data.importer.problems import Problems, short
from data.importer.values import is_missing, parse_bools, parse_dates, parse_numbers, parse_timestamps, to_text
from layers.catalog import Column, Layer
from layers.headers import SCORE_WORDS, VALUE_WORDS, header_names, normalise

LOGGER = logging.getLogger(__name__)

INT_LIMIT = 2**31 - 1           # PostgreSQL integer

# Formats a column has beyond its kind (the database checks these too).
PATTERNS = {
    ("hotspots", "quarter"): (re.compile(r"^\d{4}Q[1-4]$"), "如 2026Q3 (e.g. 2026Q3)"),
}


def match_columns(columns, layer: Layer, chosen: dict | None = None) -> dict[str, str]:
    """Map file column -> catalog column: the catalog's names (any case, and a Shapefile's
    names cut to 10 characters), then the Chinese headers of ``layers.headers`` (the
    column's label and its usual variants, in their order). Columns the database derives
    (an incident's focus) are never read from a file. ``chosen`` ({file column: catalog
    column or None}) is what a person set by hand; it comes first, None leaving a column
    unread."""
    catalog = [c.name for c in layer.columns if not c.derived]
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for col, target in (chosen or {}).items():
        if col in columns and target in catalog and target not in taken:
            mapping[col] = target
            taken.add(target)
    skipped = {col for col, target in (chosen or {}).items() if target is None}
    free = [c for c in columns if c not in mapping and c not in skipped]

    def take(col, target):
        mapping[col] = target
        taken.add(target)
        free.remove(col)

    for col in list(free):
        low = str(col).strip().lower()
        if low in catalog and low not in taken:
            take(col, low)
    for col in list(free):
        low = str(col).strip().lower()
        hits = [c for c in catalog if len(low) == 10 and len(c) > 10 and c[:10] == low and c not in taken]
        if len(hits) == 1:
            take(col, hits[0])
    by_header = {}
    for col in free:
        by_header.setdefault(normalise(col), col)
    for column in layer.columns:
        if column.derived or column.name in taken:
            continue
        for header in (column.label, *header_names(layer.name, column.name)):
            col = by_header.get(normalise(header))
            if col is not None and col in free:
                take(col, column.name)
                break
    return mapping


def value_words(layer: Layer, col: Column) -> dict[str, str]:
    """Words a file may use for an enum column's values beyond the catalog's labels."""
    return {k.lower(): v for k, v in VALUE_WORDS.get((layer.name, col.name), {}).items()}


def _check_range(values: np.ndarray, col: Column, problems: Problems, raw: pd.Series,
                 present: np.ndarray):
    if col.minimum is not None:
        low = np.flatnonzero(present & (values < col.minimum))
        problems.values(low, col.name, raw, lambda v: (
            f"小于最小值 {col.minimum:g} '{v}' (below minimum {col.minimum:g})"))
    maximum = col.maximum
    if col.kind == "int" and maximum is None:
        maximum = INT_LIMIT
    if maximum is not None:
        high = np.flatnonzero(present & (values > maximum))
        problems.values(high, col.name, raw, lambda v: (
            f"大于最大值 {maximum:g} '{v}' (above maximum {maximum:g})"))


def _enum_lookup(col: Column, layer: Layer) -> dict[str, str]:
    lookup = value_words(layer, col)
    for choice in col.choices:
        lookup[choice.lower()] = choice
        label = col.label_of(choice)
        if label != choice:
            lookup[label.lower()] = choice
    return lookup


# One converter per column kind: (raw values, missing rows, column, layer, problems) ->
# the values to write; each reports the values it cannot read.

def _text(raw, missing, col: Column, layer: Layer, problems: Problems):
    text = to_text(raw)
    pattern = PATTERNS.get((layer.name, col.name))
    if pattern is not None:
        regex, example = pattern
        text = pd.Series([v.upper() if isinstance(v, str) else v for v in text],
                         dtype=object)
        bad = np.flatnonzero(~missing & ~np.array(
            [bool(regex.match(v)) if isinstance(v, str) else True for v in text]))
        problems.values(bad, col.name, raw, lambda v: f"格式不对 '{v}'，应{example} (bad format)")
    if col.max_length is not None:
        long = np.flatnonzero(np.array([isinstance(v, str) and len(v) > col.max_length for v in text], dtype=bool))
        problems.values(long, col.name, raw, lambda v: (
            f"过长 '{v}'，最多 {col.max_length} 个字符 (longer than {col.max_length} characters)"))
    return text.tolist()


def _not_integer(value: str) -> str:
    return f"不是整数 '{value}' (not an integer)"


def not_a_number(value: str) -> str:
    """The problem text for a value that should be a number."""
    return f"不是数字 '{value}' (not a number)"


def _integers(raw, missing, col: Column, layer: Layer, problems: Problems):
    numbers, bad = parse_numbers(raw)
    problems.values(bad, col.name, raw, _not_integer)
    fractional = np.flatnonzero(np.isfinite(numbers) & (numbers != np.round(numbers)))
    problems.values(fractional, col.name, raw, _not_integer)
    present = np.isfinite(numbers)
    _check_range(numbers, col, problems, raw, present)
    return [int(v) if ok and abs(v) <= INT_LIMIT else None
            for v, ok in zip(numbers.tolist(), present)]


def _floats(raw, missing, col: Column, layer: Layer, problems: Problems):
    numbers, bad = parse_numbers(raw)
    problems.values(bad, col.name, raw, not_a_number)
    present = np.isfinite(numbers)
    _check_range(numbers, col, problems, raw, present)
    return [float(v) if ok else None for v, ok in zip(numbers.tolist(), present)]


def _enums(raw, missing, col: Column, layer: Layer, problems: Problems):
    lookup = _enum_lookup(col, layer)
    text = to_text(raw)
    mapped = [lookup.get(v.lower()) if isinstance(v, str) else None for v in text]
    bad = np.flatnonzero(~missing & np.array([m is None for m in mapped], dtype=bool))
    allowed = ", ".join(col.choices)
    words = "、".join(col.label_of(c) for c in col.choices)
    problems.values(bad, col.name, raw, lambda v: (
        f"不是允许的值 '{v}'，可用：{words} (not one of: {allowed})"))
    return mapped


def _parsed(parse, what):
    """A converter that parses with ``parse`` and reports each bad value as ``what(value)``."""
    def convert(raw, missing, col: Column, layer: Layer, problems: Problems):
        values, bad = parse(raw)
        problems.values(bad, col.name, raw, what)
        return values

    return convert


def _scores(raw, missing, col: Column, layer: Layer, problems: Problems):
    """1–5, or the words call centres write (很满意 5 … 很不满意 1)."""
    words = SCORE_WORDS.get(col.name, {})
    text = to_text(raw)
    worded = [words.get(v) if isinstance(v, str) else None for v in text]
    return _integers(pd.Series([v if w is None else str(w) for v, w in zip(text, worded)], dtype=object),
                     missing, col, layer, _Quiet(problems, words))


class _Quiet:
    """Problems of a score column, saying the words it also takes."""

    def __init__(self, problems: Problems, words: dict):
        self.problems, self.words = problems, "、".join(words)

    def values(self, positions, column, raw, what):
        self.problems.values(positions, column, raw, lambda v: f"{what(v)}，应为 1–5 或 {self.words}")


def _phones(raw, missing, col: Column, layer: Layer, problems: Problems):
    """A respondent's number becomes its keyed hash at once (a hash already made is kept);
    a value that is no number is refused without being repeated in the message."""
    from data.importer.phones import HASHED, current_key, phone_hash

    key = None
    out = []
    for v in to_text(raw):
        if v is None or HASHED.match(v):
            out.append(None if v is None else v.lower())
            continue
        key = key or current_key()
        out.append(phone_hash(v, key))
    bad = np.flatnonzero(~missing & np.array([h is None for h in out], dtype=bool))
    problems.rows(bad, col.name, "不是电话号码（号码不在报告中重复） (not a phone number)")
    return out


CONVERTERS = {
    "text": _text, "int": _integers, "float": _floats, "enum": _enums, "score": _scores, "phone": _phones,
    "bool": _parsed(parse_bools, lambda v: (
        f"不是布尔值 '{v}' (not a boolean; use true/false, 1/0, 是/否, yes/no)")),
    "date": _parsed(parse_dates, lambda v: f"不是日期 '{v}'，应为 YYYY-MM-DD (not a date)"),
    "timestamp": _parsed(parse_timestamps, lambda v: (
        f"不是时间 '{v}'，应为 YYYY-MM-DD hh:mm[:ss][+08:00] (not a timestamp)")),
}


def check_columns(frame: pd.DataFrame, layer: Layer, mapping: dict[str, str],
                  problems: Problems, partial: bool = False) -> dict:
    """Check and convert every catalog column present; return {name: list of values}.
    ``partial``: the file updates some columns of rows the layer holds; only ``code`` must
    be present."""
    by_name = {v: k for k, v in mapping.items()}
    out: dict[str, object] = {}
    for col in layer.columns:
        source = by_name.get(col.name)
        if source is None:
            if col.required and not col.derived and (not partial or col.name == "code"):
                problems.column(col.name, f"缺少必填列 '{col.name}'（{col.label}） (missing required column "
                                          f"'{col.name}'; 文件中的列 columns in file: "
                                          f"{', '.join(map(str, frame.columns)) or '-'})")
            continue
        raw = frame[source].reset_index(drop=True)
        missing = is_missing(raw)
        if col.required:
            problems.rows(np.flatnonzero(missing), col.name, "为空 (missing value)")
        convert = CONVERTERS.get(col.kind)
        if convert is None:  # pragma: no cover - the catalog only has the kinds above
            raise ValueError(f"unknown column kind {col.kind!r}")
        out[col.name] = convert(raw, missing, col, layer, problems)
    return out


def _duplicate_key(layer: Layer, columns: dict):
    """(each row's key as text, None where incomplete; its label), or None without a key."""
    if layer.key == ("code",):
        if "code" not in columns:
            return None
        return pd.Series(columns["code"], dtype=object), "code"
    if not all(k in columns for k in layer.key):
        return None
    parts = []
    for k in layer.key:
        v = columns[k]
        if isinstance(v, pd.Series) and pd.api.types.is_datetime64_any_dtype(v):
            parts.append(pd.Series([None if pd.isna(t) else t.isoformat() for t in v],
                                   dtype=object))
        else:
            parts.append(pd.Series(list(v), dtype=object))
    frame = pd.concat(parts, axis=1)
    complete = frame.notna().all(axis=1)
    text = frame.apply(lambda col: col.map(lambda v: "" if pd.isna(v) else str(v)))
    return text.agg(" ".join, axis=1).where(complete, None), "+".join(layer.key)


def check_duplicates(layer: Layer, columns: dict, problems: Problems, seen: SeenKeys) -> None:
    """Report every row whose key repeats an earlier row's (in this chunk or an earlier
    one, remembered in ``seen``), naming that row."""
    found = _duplicate_key(layer, columns)
    if found is None:
        return
    key, label = found
    present = np.flatnonzero(key.notna().to_numpy())
    earlier = seen.earlier_rows(key.iloc[present].to_numpy(dtype=object),
                                problems.row_numbers_of(present))
    later = present[earlier >= 0]
    other = earlier[earlier >= 0]

    def what(i):
        return (f"与第 {other[i]} 行重复 '{short(key.iloc[later[i]], 60)}' "
                f"(duplicate {label}, same as row {other[i]})")

    problems.rows(later, label, what)
