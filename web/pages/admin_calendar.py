"""The admin's school calendar page: holidays and 调休 make-up days (national or the
county's), school terms, a CSV import with a preview of what changes, CSV exports."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from layers.errors import ImportRefused, InvalidInput
from web import context, params
from web.auth import actor, require_role
from web.pages.admin import bp
from web.pages.home import download
from web.schemas.school_calendar import MAX_CSV_CHARS, DayEntry, DayKey, Export, ImportForm, TermEntry, Year
from web.services import school_calendar as service


def _page(year: int, status: int = 200, **extra):
    doc = service.year_document(context.conn(), context.code(), year)
    return render_template("admin/calendar.html", doc=doc, scopes=service.SCOPES, **extra), status


def _back(year: int | None = None):
    return redirect(url_for(".calendar_page", year=year) if year else url_for(".calendar_page"))


@bp.route("/calendar")
@require_role()  # admins only
def calendar_page():
    """The year's holidays and make-up days, the terms, school days per month, the forms."""
    return _page(params.query(Year).year)


@bp.route("/calendar/days", methods=["POST"])
@require_role()
def calendar_day_set():
    """Add or replace a holiday or make-up day."""
    ask = params.form(DayEntry)
    service.set_day(context.conn(), context.code(), actor(), ask.date, ask.kind, ask.name, ask.scope)
    flash(f"已设置 {ask.date.isoformat()}：{ask.name or ''}（{service.sc.KINDS[ask.kind]}，{service.SCOPES[ask.scope]}）")
    return _back(ask.date.year)


@bp.route("/calendar/days/remove", methods=["POST"])
@require_role()
def calendar_day_remove():
    """Remove a holiday or make-up day."""
    ask = params.form(DayKey)
    service.remove_day(context.conn(), context.code(), actor(), ask.date, ask.scope)
    flash(f"已删除 {ask.date.isoformat()} 的{service.SCOPES[ask.scope]}安排")
    return _back(ask.date.year)


@bp.route("/calendar/terms", methods=["POST"])
@require_role()
def calendar_term_add():
    """Add a term (or replace the one of the same name and school)."""
    term = service.save_term(context.conn(), context.code(), actor(), params.form(TermEntry).row())
    flash(f"已保存学期 {term['name']}（{term['starts']} 至 {term['ends']}）")
    return _back(int(term["starts"][:4]))


@bp.route("/calendar/terms/<int:term_id>", methods=["POST"])
@require_role()
def calendar_term_edit(term_id):
    """Change a term's name, dates or school."""
    term = service.save_term(context.conn(), context.code(), actor(), params.form(TermEntry).row(), term_id)
    flash(f"已修改学期 {term['name']}（{term['starts']} 至 {term['ends']}）")
    return _back(int(term["starts"][:4]))


@bp.route("/calendar/terms/<int:term_id>/remove", methods=["POST"])
@require_role()
def calendar_term_remove(term_id):
    """Remove a term."""
    gone = service.remove_term(context.conn(), context.code(), actor(), term_id)
    flash(f"已删除学期 {gone['name']}")
    return _back(int(gone["starts"][:4]))


def _uploaded() -> str:
    """The CSV sent with the form: the file chosen (first pass) or the text carried over."""
    ask = params.form(ImportForm)
    if ask.text is not None:
        return ask.text
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInput("请选择要导入的 CSV 文件", "file")
    raw = upload.read(MAX_CSV_CHARS * 4 + 1)
    if len(raw) > MAX_CSV_CHARS * 4:
        raise InvalidInput("文件过大", "file")
    from data.calendar_file import decode

    return decode(raw)


@bp.route("/calendar/import", methods=["POST"])
@require_role()
def calendar_import():
    """First a preview of what the file changes (nothing written), then, confirmed, the import."""
    year = params.query(Year).year
    ask = params.form(ImportForm)
    try:
        text = _uploaded()
        if request.form.get("confirm") == "1":
            done = service.apply_import(context.conn(), context.code(), actor(), text, ask.scope)
            flash(f"已导入 {done['rows']} 行：新增 {len(done['added'])}，修改 {len(done['changed'])}，"
                  f"未变 {done['unchanged']}")
            return _back(year)
        preview = service.preview_import(context.conn(), context.code(), text, ask.scope)
    except ImportRefused as err:
        return _page(year, 400, problems=err.problems)
    return _page(year, preview=preview, text=text)


@bp.route("/calendar.csv")
@require_role()
def calendar_csv():
    """The year's holidays and make-up days in force (date,kind,name), or the terms."""
    ask = params.query(Export)
    text = service.export_csv(context.conn(), context.code(), ask.what, ask.year)
    name = f"school-terms-{context.code()}.csv" if ask.what == "terms" else f"calendar-{ask.year}.csv"
    return download("\ufeff" + text, "text/csv", name)
