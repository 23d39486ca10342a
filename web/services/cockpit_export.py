"""The cockpit as XLSX for the monthly meeting: the indicators, then the townships."""
from __future__ import annotations

from web.services import County
from web.services.cockpit import COLUMNS
from web.services.exports import _append, _bytes, _workbook

HEAD = ["指标", "数值", "目标", "达标", "上月同期", "单位", "说明"]


def cockpit_xlsx(doc: dict, county: County) -> bytes:
    """Sheet 指标: every indicator against its target and a month before (shares as 0.0%);
    sheet 乡镇排名: each township's figures."""
    rows = [[i["label"], i["value"], i["target"], {True: "是", False: "否"}.get(i["met"], "—"), i["previous"],
             "比例" if i["unit"] == "share" else "个", i["note"]] for i in doc["indicators"]]
    wb = _workbook("指标", f"{county.name}平安建设驾驶舱（统计日 {doc['date']}，上月同期 {doc['previous_date']}）",
                   HEAD, rows)
    ws = wb.active
    for r, ind in enumerate(doc["indicators"], start=3):
        if ind["unit"] == "share":
            for col in (2, 3, 5):
                ws.cell(row=r, column=col).number_format = "0.0%"
    towns = wb.create_sheet("乡镇排名")
    _append(towns, [f"{county.name}各乡镇指标（统计日 {doc['date']}）"])
    _append(towns, ["乡镇编码", "乡镇", *(label for _, label, _, _ in COLUMNS), "R10"])
    for t in doc["townships"]:
        _append(towns, [t["code"], t["name"], *(t[key] for key, *_ in COLUMNS), t["r10_flag"]])
    for col, (_, _, unit, _) in enumerate(COLUMNS, start=3):
        if unit == "share":
            for cells in towns.iter_rows(min_row=3, min_col=col, max_col=col):
                for cell in cells:
                    cell.number_format = "0.0%"
    return _bytes(wb)
