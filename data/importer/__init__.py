"""Import one file into one layer: read, check everything, reproject, write — all or nothing.

``import_file(conn, layer_name, path, crs=None, encoding=None, replace=False,
county_code=…, progress=False) -> ImportResult`` reads a GeoPackage (the layer named
like the target, else the only/first one), a Shapefile (text encoding from its ``.cpg``;
``encoding`` overrides, e.g. 'gbk'; without either, UTF-8 or GB18030 is detected and
said in a warning), GeoJSON, or CSV with ``lon``/``lat`` columns (UTF-8 with or without
BOM, or ``encoding``), checks the whole file, and only when nothing is wrong writes it
with ``layers.store.upsert_layer`` and fills township/village by location with
``layers.store.locate``. It does not commit: the caller owns the transaction (the writes
are also wrapped in a savepoint, so a failure leaves the caller's transaction as it was).

The steps live in this package's modules: ``read`` (the file, its format, layer and text
encoding), ``columns`` and ``values`` (matching columns, parsing and checking values,
duplicate keys), ``geometry`` (geometry types, CSV points, polygon repair), ``reproject``
(which CRS, degree checks, reprojection to EPSG:4326), ``problems`` (the problem list)
and ``write`` (the output frame, the write in a savepoint).

Rules (quoted by the README):

* All or nothing. Every problem in the file is collected (the first 50 are listed, then
  "… 另有 N 个问题 (and N more)") and ``ImportRefused(problems)`` is raised before
  anything is written. Each message names the file, the row ("第 N 行": in a CSV the
  line a spreadsheet or editor shows, the header being line 1; in a GeoPackage the
  feature's fid, as QGIS shows it; otherwise the feature's place counted from 1), the
  row's code when it has one, the column, and what is wrong, in Chinese with the
  English in brackets.
* Columns: names match the catalog case-insensitively, and a Shapefile's names cut to 10
  characters (``township_c``, ``occurred_a``) are recognised. A required column must be
  present and have a value in every row. Values: integers and numbers (within the
  column's minimum/maximum), booleans (true/false, 1/0, 是/否, yes/no, t/f, y/n), dates
  (2026-03-05, 2026/3/5, 2026.3.5, 20260305, 2026年3月5日), timestamps (a date plus
  hh:mm[:ss[.ffffff]], optionally with Z or an offset such as +08:00; without an offset
  they are Asia/Shanghai local time), enums (the value or its Chinese label, any case).
  An incident's category is kept as written (at most 100 characters); its R4 focus group
  comes from the county's category mapping (``layers.categories``), and categories the
  mapping does not know count as 'other', named with their counts in one warning.
  Other columns are kept in ``props`` (JSON values). ``code`` must be unique in the
  file (for patrol_tracks, team_code + recorded_at, and code is built from them).
* CRS: the file's own; ``crs`` overrides it ('EPSG:4490', 'EPSG:4547', '4326' or
  'gcj02'). A file with no CRS and no ``crs`` is refused, except CSV, whose lon/lat are
  taken as EPSG:4326 (WGS 84) when no ``crs`` is given. 'gcj02' means lon/lat copied
  from a Chinese web map; they are converted back to WGS 84 with the iterative inverse
  (``geo.crs.gcj02_to_wgs84``). Any other CRS (EPSG:4490 CGCS2000, the CGCS2000
  Gauss-Krüger zones EPSG:4491–4554, …) is reprojected to EPSG:4326 with pyproj.
  When ``crs`` differs from the CRS the file declares, a warning says so.
* Coordinates must be valid lon/lat and in China (``geo.crs.in_china``); numbers
  beyond ±180/±90 in a lon/lat CRS are reported as "looks projected (metres)" with a
  hint to pass ``--crs``.
* Geometry: must be present (patrol_teams and survey_calls excepted) and of a type the layer accepts;
  Z/M are dropped and a one-point MultiPoint is taken as its Point.
* Invalid geometry (e.g. a self-intersecting polygon): a polygon or multipolygon that
  is not valid is repaired with ``shapely.make_valid`` (keeping its polygonal part),
  and the repair is accepted, with a warning naming the row, only when the result is
  still a (multi)polygon the layer accepts and its area differs from the area of the
  rings as drawn by less than 1 %; otherwise the file is refused for that row (a
  "bow-tie" whose lobes cancel out, for instance, changes its area far more than 1 %
  and must be fixed by hand). Invalid lines and points are refused.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from data.importer.check import FileCheck
from data.importer.focus import Focus
from data.importer.geometry import MAX_AREA_CHANGE
from data.importer.history import Recorder, checksum
from data.importer.problems import MAX_PROBLEMS
from data.importer.read import CHUNK_ROWS, open_source
from data.importer.reproject import crs_option
from data.importer.survey import SurveyRows
from data.importer.write import write
from layers import remediation
from layers.catalog import importable_layer
from layers.db import savepoint
from layers.errors import ImportRefused

LOGGER = logging.getLogger(__name__)


@dataclass
class ImportResult:
    """What an import did: rows added and updated, warnings, rows in the file."""

    added: int
    updated: int
    warnings: list[str] = field(default_factory=list)
    rows: int = 0
    import_id: int | None = None     # the entry in the import history (layers.import_history)


def remediation_warnings(imported: dict) -> list[str]:
    """One warning naming the villages whose imported remediation date stands on an
    exception (their video criterion does not hold), with the reasons."""
    if not imported["exceptions"]:
        return []
    named = "；".join(f"{e['name']}（{e['code']}）：{'；'.join(e['reasons'])}" for e in imported["exceptions"])
    return [f"{len(imported['exceptions'])} 个偏远村的整治日期按例外记录（备注“{remediation.IMPORT_EXCEPTION}”）"
            f"，因视频覆盖不符合本县规则：{named}"]


def _remediation_records(conn, county_code: str, fname: str) -> list[str]:
    """Record the villages' remediation dates as events (with the warnings on exceptions);
    a database error there refuses the file like one while writing it."""
    import psycopg2

    try:
        with savepoint(conn, "import_remediation"):
            return remediation_warnings(remediation.record_imported(conn, county_code))
    except psycopg2.Error as err:
        raise ImportRefused([f"{fname}: 记录整治日期时数据库拒绝写入：{str(err).strip().splitlines()[0]}"]) from None


def import_file(conn, layer_name: str, path, *, crs=None, encoding=None, replace=False,
                county_code: str, progress=False, chunk_rows: int = CHUNK_ROWS, sheet: str | None = None,
                columns: dict | None = None, actor: str | None = None) -> ImportResult:
    """Check the whole file at ``path`` and write it into ``layer_name`` (see module doc).

    crs: overrides the file's CRS ('EPSG:4490', 'EPSG:4547', '4326', 'gcj02', 'bd09').
    encoding: text encoding of a Shapefile's .dbf or of a CSV (e.g. 'gbk').
    sheet: an XLSX's sheet to read (default: the first).
    columns: {file column: catalog column or None} set by hand, before the headers found.
    replace: empty the layer (for ``county_code``) first.
    progress: show a progress bar on stderr while writing large files.
    chunk_rows: rows read, checked and written at a time.
    actor: who imports (kept in the import history with the file's name and SHA-256, the
    counts and the warnings; the rows it changes are kept so that it can be undone).

    Raises LayerNotFound for an unknown layer and ImportRefused (listing every problem)
    when anything is wrong; nothing is written then. Does not commit.
    """
    layer = importable_layer(layer_name)
    path = Path(path)
    fname = path.name or str(path)
    if replace and layer.name == "survey_calls":
        raise ImportRefused([f"{fname}: 民意调查电话不能清空后替换，表单录入的电话会丢失；请不加“替换”导入 "
                             f"(opinion calls cannot be replaced: calls entered on the form would be lost)"])
    warnings: list[str] = []
    target_crs = crs_option(crs)

    def check(warnings):
        source = open_source(path, fname, layer, encoding, warnings, chunk_rows, sheet)
        return source, FileCheck(source, layer, target_crs, fname, warnings, columns)

    if getattr(conn, "autocommit", False):   # nothing to roll back: check the whole file first
        _, first = check(warnings)
        for _ in first.frames():
            pass
        if first.problems:
            raise ImportRefused(first.problems.messages(), first.problems.report())
    source, checked = check([] if getattr(conn, "autocommit", False) else warnings)
    focus = Focus(conn, county_code) if layer.name == "incidents" else None
    calls = SurveyRows(conn, county_code, checked.problems, actor) if layer.name == "survey_calls" else None
    history = Recorder(conn, layer, county_code, actor=actor, file_name=fname, checksum=checksum(path),
                       replace=replace)
    n, added, updated = write(conn, layer, checked.frames(), checked.problems, county_code, replace, progress,
                              fname, source.rows, (focus and focus.assign) or (calls and calls.prepare), history)
    unmapped = focus.warning(fname) if focus is not None else None
    if unmapped:
        warnings.append(unmapped)
    if calls is not None:
        warnings.extend(calls.warnings(fname))
    if layer.name == "villages":  # past records: remediation confirmed on remediated_on
        warnings.extend(_remediation_records(conn, county_code, fname))
    history.finish(added, updated, warnings)
    LOGGER.info("imported %s into %s: %d added, %d updated", fname, layer.name, added, updated)
    return ImportResult(added=added, updated=updated, warnings=warnings, rows=n, import_id=history.id)


__all__ = ["ImportResult", "import_file", "CHUNK_ROWS", "MAX_AREA_CHANGE", "MAX_PROBLEMS"]
