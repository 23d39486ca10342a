"""Imports through the browser: a file uploaded, checked, then written once an admin confirms.

Each upload lives in its own folder under ``<VAR_DIR>/imports/<token>/``: the file as sent
and ``state.json``, what the page polls. ``state.json`` is written whole and renamed into
place, so every server process reads the same, complete state. The check and the write run
in a background thread of the process that was asked; stages:

    uploaded -> checking -> checked -> writing -> written
                         \\-> (problems: stays 'checked' with problem_count > 0; only a
                              clean check may be written, with the options it was made with)

The write is ``data.importer.import_file``: the same all-or-nothing transaction as the CLI,
kept in the import history. Uploads older than a day are removed when a new one arrives.
An upload of opinion calls (``survey_calls``) is rewritten as soon as it is known to be
one: phone numbers become their keyed hashes and name columns are emptied, so no number
stays under ``var/imports``.
"""
from __future__ import annotations

import json
import logging
import os
import re
import secrets
import shutil
import threading
import time
from dataclasses import asdict
from pathlib import Path

from data.importer.phones import phone_key, using_key
from layers.errors import Conflict, CountyMapError, FeatureNotFound, ImportRefused, InvalidInput

LOGGER = logging.getLogger(__name__)

SUFFIXES = (".xlsx", ".csv", ".zip", ".gpkg", ".geojson", ".json")
KEEP_SECONDS = 24 * 3600
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
OPTIONS = ("layer", "crs", "encoding", "sheet", "columns")


def _root(var_dir: str) -> Path:
    return Path(var_dir) / "imports"


def folder(var_dir: str, token: str) -> Path:
    """The upload's folder; FeatureNotFound when there is none."""
    path = _root(var_dir) / token
    if not TOKEN.match(token) or not (path / "state.json").exists():
        raise FeatureNotFound(f"没有这个上传 '{token[:64]}'（可能已过期，请重新上传）")
    return path


def read_state(var_dir: str, token: str) -> dict:
    return json.loads((folder(var_dir, token) / "state.json").read_text(encoding="utf-8"))


def _write_state(path: Path, state: dict) -> None:
    tmp = path / f"state.{os.getpid()}.{threading.get_ident()}.tmp"
    tmp.write_text(json.dumps(state, ensure_ascii=False, default=str), encoding="utf-8")
    os.replace(tmp, path / "state.json")


def _update(path: Path, **changes) -> dict:
    state = json.loads((path / "state.json").read_text(encoding="utf-8"))
    state.update(changes)
    _write_state(path, state)
    return state


def safe_name(name: str) -> str:
    """The uploaded file's name, kept for the history, without any path."""
    base = re.split(r"[\\/]", name or "")[-1].strip().lstrip(".") or "upload"
    return base[:120]


def _sweep(root: Path) -> None:
    now = time.time()
    for old in root.iterdir() if root.exists() else ():
        if old.is_dir() and now - old.stat().st_mtime > KEEP_SECONDS:
            shutil.rmtree(old, ignore_errors=True)


def save_upload(var_dir: str, name: str, save, actor: str, layer: str | None) -> dict:
    """Keep an uploaded file: ``save(path)`` writes it. Returns the new state."""
    fname = safe_name(name)
    if not fname.lower().endswith(SUFFIXES):
        raise InvalidInput(f"不支持的文件类型 '{fname}'，可用：{'、'.join(SUFFIXES)}（Shapefile 请打包为 .zip）", "file")
    root = _root(var_dir)
    root.mkdir(parents=True, exist_ok=True)
    _sweep(root)
    token = secrets.token_urlsafe(18)
    path = root / token
    path.mkdir()
    save(path / fname)
    try:
        _scrub(var_dir, path / fname, {"layer": layer})
    except InvalidInput:
        shutil.rmtree(path, ignore_errors=True)
        raise
    state = {"token": token, "file": fname, "size": (path / fname).stat().st_size, "actor": actor,
             "stage": "uploaded", "options": {"layer": layer}, "progress": None, "report": None,
             "result": None, "error": None, "sheets": _sheets(path / fname)}
    _write_state(path, state)
    return state


def _scrub(var_dir: str, file: Path, options: dict) -> None:
    """An upload of opinion calls keeps no phone number or name, from the moment it is
    known to be one (``data.importer.phones.scrub_upload``)."""
    if options.get("layer") != "survey_calls":
        return
    from data.importer.phones import scrub_upload
    from layers.catalog import importable_layer

    try:
        hashed = scrub_upload(file, importable_layer("survey_calls"), key=phone_key(var_dir),
                              chosen=options.get("columns"), encoding=options.get("encoding"),
                              sheet=options.get("sheet"))
    except Exception as err:  # noqa: BLE001 - a file that cannot be read is not kept
        raise InvalidInput(f"无法读取文件以去除电话号码：{str(err)[:200]}", "file") from None
    LOGGER.info("upload %s: %d phone numbers hashed", file.parent.name, hashed)


def _sheets(path: Path) -> list[str]:
    if path.suffix.lower() != ".xlsx":
        return []
    from data.importer.sheets import sheet_names

    try:
        return sheet_names(path, path.name)
    except ImportRefused:
        return []


def _progress(path: Path, stage: str):
    last = [0.0]

    def report(done: int, total: int | None) -> None:
        if time.monotonic() - last[0] > 0.3 or (total is not None and done >= total):
            last[0] = time.monotonic()
            _update(path, progress={"stage": stage, "done": done, "total": total})
    return report


def _run(path: Path, stage: str, work) -> None:
    """Run ``work()`` in a thread; its answer (a dict of state changes) or its failure is
    written to the state."""
    def target():
        try:
            _update(path, **work())
        except CountyMapError as err:
            _update(path, stage="failed" if stage == "checking" else "checked", error=str(err))
        except Exception as err:  # noqa: BLE001 - the page must learn the job ended
            LOGGER.exception("import job %s failed", path.name)
            _update(path, stage="failed", error=f"内部错误：{type(err).__name__}")
    threading.Thread(target=target, name=f"import-{path.name}", daemon=True).start()


def start_check(var_dir: str, token: str, options: dict) -> dict:
    """Check the upload for ``options`` (layer, crs, encoding, sheet, columns) in the background."""
    path = folder(var_dir, token)
    state = read_state(var_dir, token)
    if state["stage"] in ("checking", "writing"):
        raise Conflict("上一步还在进行中，请稍候")
    if state["stage"] == "written":
        raise Conflict("这个文件已经导入；如需再次导入请重新上传")
    from data.importer.report import check_file

    def work():
        _scrub(var_dir, path / state["file"], options)
        with using_key(phone_key(var_dir)):
            report = check_file(options["layer"], path / state["file"], crs=options.get("crs"),
                                encoding=options.get("encoding"), sheet=options.get("sheet"),
                                columns=options.get("columns"), progress=_progress(path, "checking"))
        return {"stage": "checked", "report": asdict(report), "progress": None}
    state = _update(path, stage="checking", options=options, report=None, error=None, result=None,
                    progress={"stage": "checking", "done": 0, "total": None})
    _run(path, "checking", work)
    return state


class _Bar:
    """The write's progress, as import_file's progress bar."""

    def __init__(self, report, total):
        self.report, self.total, self.done = report, total, 0

    def update(self, n: int) -> None:
        self.done += n
        self.report(self.done, self.total)

    def close(self) -> None:
        pass


def start_write(var_dir: str, token: str, database_url: str, county_code: str) -> dict:
    """Write a cleanly checked upload with the options it was checked with, in the background."""
    path = folder(var_dir, token)
    state = read_state(var_dir, token)
    report = state.get("report")
    if state["stage"] != "checked" or not report:
        raise Conflict("请先检查文件，检查通过后才能导入")
    if report["problem_count"]:
        raise Conflict(f"检查发现 {report['problem_count']} 个问题，请修改文件后重新上传")
    options = state["options"]
    from data.importer import import_file
    from layers.db import transaction

    def work():
        bar = _Bar(_progress(path, "writing"), report["rows"])
        with transaction(database_url) as conn, using_key(phone_key(var_dir)):
            result = import_file(conn, options["layer"], path / state["file"], crs=options.get("crs"),
                                 encoding=options.get("encoding"), sheet=options.get("sheet"),
                                 columns=options.get("columns"), county_code=county_code, progress=bar,
                                 actor=state["actor"])
        return {"stage": "written", "result": asdict(result), "progress": None}
    state = _update(path, stage="writing", error=None, progress={"stage": "writing", "done": 0,
                                                                  "total": report["rows"]})
    _run(path, "writing", work)
    return state


def discard(var_dir: str, token: str) -> None:
    """Remove an upload that is not being written."""
    path = folder(var_dir, token)
    if read_state(var_dir, token)["stage"] == "writing":
        raise Conflict("正在写入，不能删除")
    shutil.rmtree(path, ignore_errors=True)


def report_xlsx(state: dict, county_name: str) -> bytes:
    """Every problem the check found as a workbook the clerk can fix the file from."""
    from web.services.exports import _bytes, _workbook

    report = state.get("report") or {}
    rows = [[p["row"] if p["row"] is not None else "（整个文件）", p["code"] or "", p["column"] or "",
             p["value"] or "", p["what"]] for p in report.get("report", [])]
    caption = (f"{county_name} · {state['file']} · 图层 {report.get('layer', '')} · 共 {report.get('rows', 0)} 行，"
               f"{report.get('problem_count', 0)} 个问题")
    return _bytes(_workbook("导入检查报告", caption, ["行号", "编码", "列", "值", "问题"], rows))
