"""Blank import templates: one XLSX per layer, with the Chinese headers the importer reads
(``layers.headers``) on the first sheet and, on the second, what each column holds and the
values it allows, so a clerk can fill it in Excel or WPS and import it as it is."""
from __future__ import annotations

import io

from layers.catalog import Column, Layer
from layers.headers import VALUE_WORDS, header_names

KIND_WORDS = {"text": "文字", "int": "整数", "float": "数字", "bool": "是/否", "date": "日期，如 2026-03-05 或 2026年3月5日",
              "timestamp": "时间，如 2026-03-05 08:30", "enum": "取值之一",
              "score": "1–5 分（5 最好），或 很满意/满意/一般/不满意/很不满意（安全感：很安全…很不安全）",
              "phone": "受访者电话，导入时即转为不可逆的加密散列，号码本身不保存"}
POINT_HEADERS = (("经度", "数字，WGS 84（高德、腾讯坐标导入时选 GCJ-02，百度坐标选 BD-09）", True),
                 ("纬度", "数字，同上", True))


def template_header(layer: Layer, col: Column) -> str:
    """The header a template gives a column: its usual Chinese header."""
    names = header_names(layer.name, col.name)
    return names[0] if names else col.label


def _allowed(layer: Layer, col: Column) -> str:
    parts = []
    if col.choices:
        words = {}
        for word, value in VALUE_WORDS.get((layer.name, col.name), {}).items():
            words.setdefault(value, []).append(word)
        parts.append("；".join(f"{col.label_of(c)}（{c}{'，' + '、'.join(words[c]) if c in words else ''}）"
                               for c in col.choices))
    if col.minimum is not None or col.maximum is not None:
        low = "" if col.minimum is None else f"{col.minimum:g}"
        high = "" if col.maximum is None else f"{col.maximum:g}"
        parts.append(f"范围 {low}–{high}")
    if col.max_length:
        parts.append(f"最多 {col.max_length} 个字")
    if col.name in ("township_code", "village_code"):
        parts.append("编码或名称；空着则按位置确定")
    return "；".join(parts)


def _rows(layer: Layer) -> list[tuple[str, str, str, str, str]]:
    """(header, catalog column, required, kind, allowed values) of each column to fill."""
    rows = [(template_header(layer, c), c.name, "必填" if c.required else "可空", KIND_WORDS.get(c.kind, c.kind),
             _allowed(layer, c)) for c in layer.columns if not c.derived]
    if layer.geometry in ("Point", "Geometry"):
        rows += [(h, h, "必填" if required else "可空", what, "") for h, what, required in POINT_HEADERS]
    return rows


def note(layer: Layer) -> str:
    """What the template is for, in one sentence."""
    if layer.geometry in ("Point", "Geometry"):
        return f"{layer.title}：每行一个，经度纬度定位；其他列保留在属性中。"
    if layer.name == "survey_calls":
        return (f"{layer.title}：每通电话一行，无需坐标；电话号码只存加密散列，姓名等其他列不保存，"
                f"问卷答案列名用 q_题目代码。")
    if layer.geometry is None:
        return f"{layer.title}：每行一个，无需坐标。"
    return (f"{layer.title}的边界或线形须用 Shapefile（.zip）或 GeoPackage 导入；本表只更新已有{layer.title}"
            f"的属性（按编码对应）。")


def template_xlsx(layer: Layer) -> bytes:
    """The blank template of ``layer`` as XLSX bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    rows = _rows(layer)
    book = Workbook()
    data = book.active
    data.title = layer.title
    data.append([r[0] for r in rows])
    for i, row in enumerate(rows, start=1):
        cell = data.cell(row=1, column=i)
        cell.font = Font(bold=True, color="B00020" if row[2] == "必填" else "000000")
        cell.fill = PatternFill("solid", fgColor="EEF2F7")
        data.column_dimensions[cell.column_letter].width = max(10, 2 * len(row[0]) + 4)
    data.freeze_panes = "A2"
    notes = book.create_sheet("说明")
    notes.append([note(layer)])
    notes.append([])
    notes.append(["列名", "对应字段", "是否必填", "类型", "可用值与说明"])
    for cell in notes[3]:
        cell.font = Font(bold=True)
    for row in rows:
        notes.append(list(row))
    for letter, width in zip("ABCDE", (14, 16, 10, 26, 70)):
        notes.column_dimensions[letter].width = width
    for line in notes.iter_rows(min_row=4):
        line[4].alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
