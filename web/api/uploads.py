"""Imports through the browser (admins): upload a file, check it, then write it on confirmation.

POST   /api/imports/uploads                 multipart ``file`` (+ ``layer``): keep it; 201 with its state
GET    /api/imports/uploads/<token>         the state the page polls (stage, progress, report, result)
POST   /api/imports/uploads/<token>/check   {layer, crs, encoding, sheet, columns}: check in the background
POST   /api/imports/uploads/<token>/write   write what the last check found clean (all or nothing)
GET    /api/imports/uploads/<token>/report.xlsx   every problem, for the clerk to fix the file
DELETE /api/imports/uploads/<token>         forget the upload
"""
from __future__ import annotations

from flask import current_app, jsonify, request

from layers.errors import InvalidInput
from web import context, params
from web.api import bp
from web.auth import require_role
from web.pages.home import download
from web.schemas.uploads import CheckOptions, UploadTo
from web.services import uploads
from web.services.exports import XLSX

def _var() -> str:
    return current_app.config["VAR_DIR"]


@bp.route("/imports/uploads", methods=["POST"])
@require_role()
def upload_file():
    """Keep an uploaded file for checking (IMPORT_MAX_BYTES, 200 MB by default: applied by
    web.errors before the body is first read)."""
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        raise InvalidInput("请选择要上传的文件", "file")
    layer = params.form(UploadTo).layer
    state = uploads.save_upload(_var(), sent.filename, sent.save, context.user_name(), layer)
    return jsonify(state), 201


@bp.route("/imports/uploads/<token>")
@require_role()
def upload_state(token):
    """Where the upload stands: stage, progress, the check's report, the write's result."""
    return jsonify(uploads.read_state(_var(), token))


@bp.route("/imports/uploads/<token>/check", methods=["POST"])
@require_role()
def upload_check(token):
    """Check the upload for a layer (nothing is written); 202, then poll the state."""
    options = params.body(CheckOptions).model_dump()
    return jsonify(uploads.start_check(_var(), token, options)), 202


@bp.route("/imports/uploads/<token>/write", methods=["POST"])
@require_role()
def upload_write(token):
    """Write the upload as its last (clean) check read it; 202, then poll the state."""
    state = uploads.start_write(_var(), token, current_app.config["RESOLVED_DATABASE_URL"], context.code())
    return jsonify(state), 202


@bp.route("/imports/uploads/<token>/report.xlsx")
@require_role()
def upload_report(token):
    """Every problem of the last check as XLSX."""
    state = uploads.read_state(_var(), token)
    return download(uploads.report_xlsx(state, context.county().name), XLSX, f"import-report-{token[:8]}.xlsx")


@bp.route("/imports/uploads/<token>", methods=["DELETE"])
@require_role()
def upload_discard(token):
    """Forget an upload (not while it is being written)."""
    uploads.discard(_var(), token)
    return "", 204
