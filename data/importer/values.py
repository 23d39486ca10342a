"""Parsing one column's values: text, numbers, dates, timestamps, booleans.

Each parser takes a pandas Series as read (text from a CSV, typed values from GDAL) and
returns the values plus the positions of those present but not readable; missing values
(None, NaN, blank text) are never "bad".
"""
from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from geo.calendar import TIMEZONE

LOGGER = logging.getLogger(__name__)

TRUE_WORDS = {"true", "t", "yes", "y", "1", "1.0", "是", "真", "对", "已联网", "联网", "√", "✓", "有"}
FALSE_WORDS = {"false", "f", "no", "n", "0", "0.0", "否", "假", "不", "未联网", "×", "✗", "无"}

_DATE_RE = (r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
            r"(?:[ T]+0{1,2}:00(?::00(?:\.0+)?)?)?\s*$")
_COMPACT_DATE_RE = r"^\s*(\d{4})(\d{2})(\d{2})\s*$"
_TIMESTAMP_RE = (r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
                 r"(?:(?:[ T]+|T)(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,6}))?)?)?"
                 r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?\s*$")


# Spreadsheet day numbers (Excel, WPS: days since 1899-12-30) taken as dates: 1954 to 2119,
# so that a small number is never read as a date.
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
EXCEL_SERIALS = (20_000, 80_000)
_SERIAL_RE = r"^\s*(\d{5})(?:\.(\d+))?\s*$"
_CHINESE_CLOCK = (("年", "-"), ("月", "-"), ("日", " "), ("号", " "), ("时", ":"), ("点", ":"),
                  ("分", ":"), ("秒", " "), ("：", ":"))


def _western(text: pd.Series) -> pd.Series:
    """Dates and times written the Chinese way as digits and separators:
    2026年3月5日 8时30分 -> 2026-3-5 8:30."""
    if not text.str.contains("[年月日号时点分秒：]", regex=True).any():
        return text
    for word, sign in _CHINESE_CLOCK:
        text = text.str.replace(word, sign, regex=False)
    return (text.str.replace(r"(\d)-\s+(\d)", r"\1-\2", regex=True)
            .str.replace(r":\s*(?=\s|$)", "", regex=True).str.replace(r"\s+", " ", regex=True).str.strip())


def _serials(text: pd.Series) -> pd.Series:
    """Spreadsheet day numbers (46086 or 46086.5) as timestamps, NaT elsewhere."""
    days = pd.to_numeric(text.where(text.str.match(_SERIAL_RE)), errors="coerce")
    days = days.where((days >= EXCEL_SERIALS[0]) & (days <= EXCEL_SERIALS[1]))
    return EXCEL_EPOCH + pd.to_timedelta(days.round(6), unit="D")


def is_missing(series: pd.Series) -> np.ndarray:
    """Rows with no value: None, NaN, NaT or blank text."""
    missing = series.isna().to_numpy()
    if series.dtype == object or pd.api.types.is_string_dtype(series):
        text = series.astype(object).where(~missing, "")
        missing = missing | np.array([isinstance(v, str) and v.strip() == "" for v in text])
    return missing


def to_text(series: pd.Series) -> pd.Series:
    """Values as stripped strings (object dtype, None for missing); 12.0 -> '12'."""
    missing = is_missing(series)
    if pd.api.types.is_float_dtype(series):
        values = series.to_numpy(dtype=float)
        out = [None if m else (str(int(v)) if float(v).is_integer() else repr(float(v)))
               for v, m in zip(values, missing)]
    elif pd.api.types.is_integer_dtype(series) or pd.api.types.is_bool_dtype(series):
        out = [None if m else str(v) for v, m in zip(series.tolist(), missing)]
    elif pd.api.types.is_datetime64_any_dtype(series):
        out = [None if m else v.isoformat() for v, m in zip(series.tolist(), missing)]
    else:
        out = [None if m else str(v).strip() for v, m in zip(series.tolist(), missing)]
    return pd.Series(out, index=series.index, dtype=object)


def parse_numbers(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(values as float with NaN, positions that are present but not numbers)."""
    missing = is_missing(series)
    if pd.api.types.is_bool_dtype(series):
        values = series.astype(float).to_numpy()
    elif pd.api.types.is_numeric_dtype(series):
        values = pd.to_numeric(series, errors="coerce").astype(float).to_numpy()
    else:
        text = series.astype(object).where(~missing, None)
        values = pd.to_numeric(pd.Series([None if v is None else str(v).strip() for v in text],
                                         dtype=object), errors="coerce").astype(float).to_numpy()
    bad = ~missing & ~np.isfinite(values)
    values = np.where(missing, np.nan, values)
    return values, np.flatnonzero(bad)


def parse_dates(series: pd.Series) -> tuple[list, np.ndarray]:
    """(list of datetime.date or None, positions of bad values)."""
    missing = is_missing(series)
    n = len(series)
    if pd.api.types.is_datetime64_any_dtype(series):
        stamps = series.dt.tz_localize(None) if series.dt.tz is not None else series
        out = [None if m else v.date() for v, m in zip(stamps.tolist(), missing)]
        return out, np.array([], dtype=int)
    text = _western(to_text(series).fillna("").astype(str))
    parts = text.str.extract(_DATE_RE)
    compact = text.str.extract(_COMPACT_DATE_RE)
    parts = parts.where(parts[0].notna(), compact)
    numbers = parts.apply(pd.to_numeric, errors="coerce")
    numbers.columns = ["year", "month", "day"]
    stamps = pd.to_datetime(numbers, errors="coerce") if n else pd.Series([], dtype="datetime64[s]")
    if n:  # a spreadsheet's day number, where a whole day
        serial = _serials(text)
        stamps = stamps.where(stamps.notna() | (serial != serial.dt.normalize()), serial)
    bad = ~missing & stamps.isna().to_numpy()
    out = [None if (m or pd.isna(v)) else v.date() for v, m in zip(stamps.tolist(), missing)]
    return out, np.flatnonzero(bad)


def _offset_minutes(offset: pd.Series, has_offset: np.ndarray) -> np.ndarray:
    """Minutes east of UTC of offsets such as Z, +08:00, -0530 (0 where there is none)."""
    sign = np.where(offset.str.startswith("-").fillna(False).to_numpy(dtype=bool), -1, 1)
    digits = offset.str.replace(r"[^0-9]", "", regex=True).fillna("")
    hours = pd.to_numeric(digits.str[:2], errors="coerce").fillna(0).to_numpy()
    minutes = pd.to_numeric(digits.str[2:4], errors="coerce").fillna(0).to_numpy()
    offset_min = sign * (hours * 60 + minutes)
    offset_min[~has_offset] = 0
    return offset_min


def parse_timestamps(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """(tz-aware Asia/Shanghai timestamps with NaT, positions of bad values)."""
    missing = is_missing(series)
    if pd.api.types.is_datetime64_any_dtype(series):
        if series.dt.tz is None:
            stamps = series.dt.tz_localize(TIMEZONE, ambiguous="NaT", nonexistent="NaT")
        else:
            stamps = series.dt.tz_convert(TIMEZONE)
        bad = ~missing & stamps.isna().to_numpy()
        return stamps.reset_index(drop=True), np.flatnonzero(bad)
    text = _western(to_text(series).fillna("").astype(str))
    serial = _serials(text) if len(series) else None
    if serial is not None and serial.notna().any():  # written back as text the regex reads
        text = text.where(serial.isna(), serial.dt.strftime("%Y-%m-%d %H:%M:%S"))
    parts = text.str.extract(_TIMESTAMP_RE)
    numbers = parts.iloc[:, :6].apply(pd.to_numeric, errors="coerce")
    numbers.columns = ["year", "month", "day", "hour", "minute", "second"]
    for name in ("hour", "minute", "second"):
        numbers[name] = numbers[name].where(numbers["year"].isna(), numbers[name].fillna(0))
    # pandas rolls 25:00 over into the next day: refuse out-of-range clock values instead
    clock_bad = ((numbers["hour"] > 23) | (numbers["minute"] > 59)
                 | (numbers["second"] > 59)).to_numpy()
    numbers.loc[clock_bad, "year"] = np.nan
    fraction = parts[6].fillna("").str.ljust(6, "0").replace("000000", "0")
    numbers["us"] = pd.to_numeric(fraction.where(fraction != "", "0"), errors="coerce")
    naive = (pd.to_datetime(numbers, errors="coerce") if len(series)
             else pd.Series([], dtype="datetime64[us]"))
    offset = parts[7]
    has_offset = offset.notna().to_numpy()
    offset_min = _offset_minutes(offset, has_offset)
    local = naive.where(~has_offset).dt.tz_localize(TIMEZONE, ambiguous="NaT",
                                                     nonexistent="NaT")
    utc = (naive - pd.to_timedelta(offset_min, unit="m")).where(has_offset)
    utc = utc.dt.tz_localize("UTC").dt.tz_convert(TIMEZONE)
    stamps = local.where(~pd.Series(has_offset, index=local.index), utc)
    bad = ~missing & stamps.isna().to_numpy()
    return stamps.reset_index(drop=True), np.flatnonzero(bad)


def parse_bools(series: pd.Series) -> tuple[list, np.ndarray]:
    """(list of True/False/None, positions of bad values): true/false, 1/0, 是/否, yes/no …"""
    missing = is_missing(series)
    if pd.api.types.is_bool_dtype(series):
        return [None if m else bool(v) for v, m in zip(series.tolist(), missing)], \
            np.array([], dtype=int)
    text = to_text(series)
    out, bad = [], []
    for i, (v, m) in enumerate(zip(text.tolist(), missing)):
        if m:
            out.append(None)
            continue
        low = v.strip().lower()
        if low in TRUE_WORDS:
            out.append(True)
        elif low in FALSE_WORDS:
            out.append(False)
        else:
            out.append(None)
            bad.append(i)
    return out, np.array(bad, dtype=int)
