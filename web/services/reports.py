"""Workbooks of pages for the monthly meeting (issue 12, item 7): the leader's coverage page
and the commander's day of patrol, with the figures the page shows. Shares are numbers
formatted as percentages, distances in metres or kilometres, text kept as text
(``exports._append``: a name starting with = is not a formula)."""
from __future__ import annotations

from datetime import date

from openpyxl.utils import get_column_letter

from geo.coverage import PART_LABELS
from web.services import County
from web.services.exports import _append, _bytes, _workbook

PERCENT = "0.0%"


def _style(ws, percent_cols=(), widths=()) -> None:
    for col in percent_cols:
        for (cell,) in ws.iter_rows(min_row=3, min_col=col, max_col=col):
            cell.number_format = PERCENT
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


def _met(flag: bool) -> str:
    return "达标" if flag else "未达标"


# --- coverage ------------------------------------------------------------------------------

INDICATOR_HEAD = ["指标", "现状", "达标数", "总数", "目标", "是否达标"]


def coverage_indicators(report: dict) -> list[list]:
    """The page's indicators against their targets: [name, share, count, of, target, met]."""
    c, k = report["cameras"], report["county"]
    return [
        ["完好率", c["working_share"], c["working"], c["total"], "≥ 98%", _met(c["working_met"])],
        ["联网率", c["networked_share"], c["networked"], c["total"], "100%", _met(c["networked_met"])],
        ["道路交叉口覆盖", k["junction_share"], k["covered_junctions"], k["junctions"], "100%（无死角）",
         _met(k["junction_share"] >= 1)],
        ["道路长度覆盖（仅供参考，公里）", k["road_share"], round(k["covered_road_m"] / 1000, 1),
         round(k["road_m"] / 1000, 1), "—", ""],
        ["学校覆盖", k["schools_covered_share"], k["covered_schools"], k["schools"], "100%",
         _met(k["schools_covered_share"] >= 1)],
        [f"乱点面积覆盖（{report['quarter'] or '—'}）", k["hotspot_area_share"], None, None, "100%",
         _met(k["hotspot_area_share"] >= 1)],
        ["视频覆盖达标村（全部行政村）", k["video_covered_share"], k["video_covered"], k["villages"], "—", ""],
        ["村口在监控范围内", k["entrance_share"], k["seen_entrances"], k["entrances"], "—", ""],
        ["主干道路口在监控范围内", k["main_junction_share"], k["covered_main_junctions"], k["main_junctions"], "—", ""],
    ]


TOWNSHIP_HEAD = ["排名", "乡镇编码", "乡镇", "达标村", "行政村", "达标村比例", "村口（见/总）", "学校（覆盖/总）",
                 "主干道路口（覆盖/总）", "路口覆盖", "道路覆盖（参考）"]


def township_rows(ranked: list[dict], names: dict) -> list[list]:
    return [[i, t["code"], names.get(t["code"], t["code"]), t["video_covered"], t["villages"],
             t["video_covered_share"], f"{t['seen_entrances']}/{t['entrances']}",
             f"{t['covered_schools']}/{t['schools']}", f"{t['covered_main_junctions']}/{t['main_junctions']}",
             t["junction_share"], t["road_share"]] for i, t in enumerate(ranked, start=1)]


FAILING_HEAD = ["村编码", "村", "乡镇", "未达标项", "村口（见/总）", "学校（覆盖/总）", "主干道路口（覆盖/总）", "正常摄像机"]


def failing_rows(failing: list[dict], names: dict) -> list[list]:
    return [[v["code"], v["name"], names.get(v.get("township_code"), v.get("township_code") or ""),
             "、".join(PART_LABELS.get(f, f) for f in v["video_failed"]), f"{v['seen_entrances']}/{v['entrances']}",
             f"{v['covered_schools']}/{v['schools']}", f"{v['covered_main_junctions']}/{v['main_junctions']}",
             v["working_cameras"]] for v in failing]


def coverage_xlsx(page: dict, county: County, as_of: date) -> bytes:
    """The coverage page as a workbook: indicators, townships ranked, the remote villages
    not meeting the village video rule, the day's remediation figures. ``page``: the
    page's values (r, names, ranked, failing, progress, confirmed_meeting, excepted)."""
    report, names = page["r"], page["names"]
    wb = _workbook("指标", f"{county.name}视频监控覆盖（{as_of}）", INDICATOR_HEAD, coverage_indicators(report),
                   percent_cols=(2,))
    _style(wb.active, widths=(34, 10, 10, 10, 16, 10))
    _append(wb.active, [])
    _append(wb.active, ["村视频覆盖规则", report["rule"]["video_covered"]])
    ws = wb.create_sheet("乡镇排名")
    for row in ([f"{county.name}乡镇排名（视频覆盖达标村比例）"], TOWNSHIP_HEAD, *township_rows(page["ranked"], names)):
        _append(ws, row)
    _style(ws, (6, 10, 11), (6, 12, 12, 8, 8, 12, 14, 14, 18, 10, 14))
    ws = wb.create_sheet("未达标偏远村")
    for row in ([f"{county.name}视频覆盖未达标的偏远村（共 {len(page['failing'])} 个）"], FAILING_HEAD,
                *failing_rows(page["failing"], names)):
        _append(ws, row)
    _style(ws, widths=(14, 14, 12, 28, 14, 14, 18, 10))
    _remediation_sheet(wb, page, county, as_of)
    return _bytes(wb)


def _remediation_sheet(wb, page: dict, county: County, as_of: date) -> None:
    p = page["progress"]
    ws = wb.create_sheet("偏远村整治")
    rows = [[f"{county.name}偏远村整治（统计日 {as_of}）"], ["项目", "数量"], ["偏远村", p["remote"]],
            ["已整治", p["remediated"]], ["其中按例外认定", p["remediated_with_exception"]],
            ["已整治的村中按当前摄像机视频覆盖达标", page["confirmed_meeting"]], [],
            ["按例外认定的村", "村编码", "确认日期", "例外说明"]]
    rows += [[e["name"], e["code"], e["confirmed_on"], e["exception_note"]] for e in page["excepted"]]
    for row in rows:
        _append(ws, row)
    _style(ws, widths=(36, 14, 12, 40))


# --- the day's patrol ----------------------------------------------------------------------

SUMMARY_HEAD = ["对象", "总数", "已巡（停留≥10分钟）", "短暂经过", "未巡"]
VISIT_HEAD = ["编码", "名称", "到访", "停留(分钟)", "≥10分钟", "最长间隔(小时)", "见巡率", "最近到访"]
TEAM_HEAD = ["编码", "巡防队", "定位点", "首个定位", "最后定位", "当天里程(公里)", "偏离路线", "距路线(米)",
             "近1小时偏离的定位点"]
ALERT_HEAD = ["告警", "编码", "名称", "说明"]


def _clock(stamp) -> str:
    return stamp[:16].replace("T", " ") if stamp else "—"


def visit_rows(rows: list[dict], schools: bool = False) -> list[list]:
    """The week's visits as the page lists them (lowest 见巡率 first)."""
    return [[r["code"], r["name"], r["visits"], r["dwell_min"], None if schools else r["long_visits"],
             r["longest_gap_h"], r["presence_rate"], _clock(r["last_visit"])]
            for r in sorted(rows, key=lambda r: r["presence_rate"])]


def team_rows(distances: list[dict], off_route: list[dict]) -> list[list]:
    off = {t["team"]: t for t in off_route}
    return [[t["team"], t["name"], t["points"], t["first"], t["last"], round(t["distance_m"] / 1000, 2),
             "是" if t["team"] in off else "否", off.get(t["team"], {}).get("distance_m"),
             off.get(t["team"], {}).get("share_off")] for t in distances]


def alert_rows(a: dict, day: date) -> list[list]:
    rows = [["未巡查的挂牌乱点", x["code"], x["name"], f"最近到访 {_clock(x['last_visit'])}"]
            for x in a["hotspots_unvisited"]]
    if a["school_day"]:
        rows += [["上学日未巡查的学校", x["code"], x["name"], ""] for x in a["schools_unvisited"]]
    else:
        rows.append(["上学日未巡查的学校", "", "", f"{day} 不是上学日"])
    rows += [["偏离路线的巡防队", x["team"], x["name"],
              f"距路线 {x['distance_m']:.0f} 米，近1小时 {x['share_off'] * 100:.1f}% 的定位点偏离"]
             for x in a["teams_off_route"]]
    return rows


def patrol_xlsx(s: dict, distances: list[dict], county: County) -> bytes:
    """The commander's day (``s``: the page's status) as a workbook: the visit summary,
    each hotspot and school with its visits and 见巡率, teams with the day's distance and
    whether they are off route, the alerts."""
    h, c, week = s["hot_counts"], s["school_counts"], s["week"]
    summary = [["挂牌乱点", h["long"] + h["brief"] + h["none"], h["long"], h["brief"], h["none"]],
               ["学校（200米范围）", c["long"] + c["brief"] + c["none"], c["long"], c["brief"], c["none"]]]
    wb = _workbook("概况", f"{county.name}巡防 {s['day']}（截至 {s['now']:%Y-%m-%d %H:%M} 的近24小时）",
                   SUMMARY_HEAD, summary)
    _style(wb.active, widths=(20, 8, 20, 10, 8))
    span = f"{week['from'][:10]} 至 {week['to'][:10]}"
    for title, rows, schools in (("乱点巡查", week["hotspots"], False), ("学校巡查", week["schools"], True)):
        ws = wb.create_sheet(title)
        for row in ([f"{county.name}近7天{title[:2]}巡查（{span}）；见巡率：有停留10分钟以上巡查的天数占比"],
                    VISIT_HEAD, *visit_rows(rows, schools)):
            _append(ws, row)
        _style(ws, (7,), (12, 20, 8, 12, 10, 16, 10, 18))
    ws = wb.create_sheet("巡防队")
    for row in ([f"{county.name}巡防队 {s['day']} 的轨迹"], TEAM_HEAD,
                *team_rows(distances, s["alerts"]["teams_off_route"])):
        _append(ws, row)
    _style(ws, (9,), (10, 20, 8, 18, 18, 14, 10, 12, 20))
    ws = wb.create_sheet("告警")
    for row in ([f"{county.name}巡防告警（{s['day']}）"], ALERT_HEAD, *alert_rows(s["alerts"], s["day"])):
        _append(ws, row)
    _style(ws, widths=(20, 12, 20, 48))
    return _bytes(wb)
