"""The admin's import page: upload a county file, see how it reads, fix, confirm; blank templates."""
from __future__ import annotations

from flask import abort, current_app, render_template

from data.importer.templates import note, template_xlsx
from layers.catalog import importable
from web import context
from web.auth import require_role
from web.pages.admin import bp
from web.pages.common import asset_urls
from web.pages.home import download
from web.services import imports as history
from web.services.exports import XLSX

# CRSs offered on the page; any EPSG code may also be typed.
CRS_CHOICES = [("", "按文件（CSV/XLSX 无坐标系时按 WGS 84）"), ("EPSG:4326", "WGS 84（GPS，EPSG:4326）"),
               ("EPSG:4490", "CGCS2000 经纬度（EPSG:4490）"), ("gcj02", "GCJ-02（高德、腾讯地图坐标）"),
               ("bd09", "BD-09（百度地图坐标）")] + [
    (f"EPSG:{4534 + z - 25}", f"CGCS2000 3 度带 {z} 带中央经线 {z * 3}°E（EPSG:{4534 + z - 25}，无带号）")
    for z in range(25, 46)] + [
    (f"EPSG:{4502 + z - 13}", f"CGCS2000 6 度带 {z} 带中央经线 {z * 6 - 3}°E（EPSG:{4502 + z - 13}，无带号）")
    for z in range(13, 24)] + [
    (f"EPSG:{4513 + z - 25}", f"CGCS2000 3 度带 {z} 带（X 坐标带带号 {z}，EPSG:{4513 + z - 25}）") for z in range(25, 46)] + [
    (f"EPSG:{4491 + z - 13}", f"CGCS2000 6 度带 {z} 带（X 坐标带带号 {z}，EPSG:{4491 + z - 13}）") for z in range(13, 24)]


@bp.route("/imports")
@require_role()
def imports_page():
    """Upload a file for a layer, check it, correct the column matches, confirm the write."""
    layers = [{"name": layer.name, "title": layer.title, "note": note(layer),
               "fields": [{"name": c.name, "label": c.label} for c in layer.columns if not c.derived]}
              for layer in importable().values()]
    limit = int(current_app.config.get("IMPORT_MAX_BYTES") or 200 * 1024 * 1024)
    return render_template("admin/imports.html", layers=layers, crs_choices=CRS_CHOICES,
                           limit_mb=limit // (1024 * 1024), assets=asset_urls(),
                           history=history.listing(context.conn(), context.code(), limit=30)["imports"])


@bp.route("/imports/templates/<layer>.xlsx")
@require_role()
def import_template(layer):
    """The layer's blank XLSX template: Chinese headers, a sheet explaining each column."""
    if layer not in importable():
        abort(404)
    return download(template_xlsx(importable()[layer]), XLSX, f"template-{layer}.xlsx")
