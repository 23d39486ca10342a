"""The demo county's 四单制 problem list (issue 16, item 2): problems in every state, some
overdue, some closed late, some sent back from the callback; deterministic (seeded).

Written by ``data.loader.load_demo`` after the layers (a problem is placed at an incident
or inside a village, and located from there); a county that already has problems keeps
them (nothing users recorded is replaced).
"""
from __future__ import annotations

import datetime as dt

import numpy as np

from data.demo.constants import AS_OF
from geo import problems as machine
from geo.calendar import LOCAL
from layers import problems as store

DEPARTMENTS = ("县公安局", "县住建局", "县交通运输局", "县市场监管局", "县司法局", "县教育局", "县城市管理局",
               "乡镇人民政府")
TITLES = {
    "治安": ("夜间有人聚集滋事", "村内多次发生电动车被盗", "集市扒窃"),
    "矛盾纠纷": ("宅基地边界纠纷", "邻里排水纠纷", "土地流转费用纠纷"),
    "道路交通": ("村口路段无减速带", "学校门口接送车辆拥堵", "急弯处缺少警示标志"),
    "电信诈骗": ("老人接到冒充公检法电话", "村民反映刷单诈骗"),
    "校园周边": ("校门口流动摊贩", "放学时段无人值守"),
    "环境卫生": ("垃圾长期无人清运", "河道漂浮物"),
    "基础设施": ("村内路灯损坏", "监控探头损坏", "桥梁护栏缺失"),
    "公共服务": ("办事窗口排队时间长", "法律咨询找不到人"),
}
#: how many problems end in each history, and the path each takes
HISTORIES = {"listed": 6, "assigned": 6, "handling": 7, "overdue": 6, "callback": 5, "closed": 14,
             "closed_late": 6, "sent_back_closed": 5, "sent_back_open": 3}
SOURCE_KINDS = ("call", "call", "call", "planner", "incident", "other")


def _days(kind: str, rng) -> tuple[list[tuple[str, int]], int | None]:
    """The steps [(to_state, days before AS_OF)] of a history, and its deadline (days before AS_OF)."""
    r = lambda a, b: int(rng.integers(a, b + 1))  # noqa: E731
    if kind == "listed":
        return [("listed", r(1, 10))], None
    if kind in ("assigned", "handling", "callback"):
        c = r(8, 25)
        path = [("listed", c), ("assigned", c - 1), ("handling", c - 3), ("callback", r(0, c - 4))]
        return path[:{"assigned": 2, "handling": 3, "callback": 4}[kind]], -r(3, 25)
    if kind == "overdue":
        c = r(40, 120)
        return [("listed", c), ("assigned", c - 1), ("handling", c - 3)], c - 1 - r(10, 25)
    c = r(60, 300)
    deadline = c - 1 - r(15, 30)
    callback = deadline + r(2, 8) if kind != "closed_late" else deadline - r(2, 15)
    path = [("listed", c), ("assigned", c - 1), ("handling", c - r(2, 4)), ("callback", callback)]
    if kind.startswith("sent_back"):
        path += [("handling", callback - 1)] + ([] if kind == "sent_back_open" else
                                                 [("callback", callback - 4), ("closed", callback - 5)])
    else:
        path.append(("closed", callback - 1))
    return path, deadline


def plan(seed: int = 0) -> list[dict]:
    """The demo problems as plain values, oldest history first within each kind: kind,
    steps [(to_state, days before AS_OF, hour)], deadline (a date), category, title,
    department, source kind, and a draw in [0, 1) for picking its place."""
    rng = np.random.default_rng([int(seed), 16002])
    out = []
    for kind, n in HISTORIES.items():
        for _ in range(n):
            steps, deadline = _days(kind, rng)
            category = list(TITLES)[int(rng.integers(len(TITLES)))]
            out.append({"kind": kind, "steps": [(to, max(d, 0), int(rng.integers(8, 18))) for to, d in steps],
                        "deadline": AS_OF - dt.timedelta(days=deadline) if deadline is not None else None,
                        "category": category, "title": str(rng.choice(TITLES[category])),
                        "department": str(rng.choice(DEPARTMENTS)),
                        "source": SOURCE_KINDS[int(rng.integers(len(SOURCE_KINDS)))], "draw": float(rng.random())})
    return out


def _place(p: dict, villages, incidents) -> tuple[tuple[float, float], str | None]:
    """(lon, lat) and the source's reference: an incident's point, else inside a village."""
    if p["source"] == "incident" and len(incidents):
        row = incidents.iloc[int(p["draw"] * len(incidents))]
        return (row.geometry.x, row.geometry.y), str(row["code"])
    pt = villages.geometry.iloc[int(p["draw"] * len(villages))].representative_point()
    ref = f"C{AS_OF:%Y%m}-{int(p['draw'] * 10_000):04d}" if p["source"] == "call" else None
    return (pt.x, pt.y), ref


def _at(days_before: int, hour: int) -> dt.datetime:
    return dt.datetime.combine(AS_OF - dt.timedelta(days=days_before), dt.time(hour), tzinfo=LOCAL)


def load(conn, county_code: str, frames: dict, seed: int = 0) -> int:
    """Write the demo problems with their histories (unless the county has problems); the
    number written. Does not commit."""
    if store.count_in(conn, county_code):
        return 0
    for p in plan(seed):
        where, ref = _place(p, frames["villages"], frames["incidents"])
        made = store.create(conn, county_code, {"title": p["title"], "description": f"{p['title']}，群众反映，请核实处理。",
                                                "category": p["category"], "source_kind": p["source"],
                                                "source_ref": ref, "note": ""}, where, "planner")
        state, version = "listed", 1
        for to, _days_before, _hour in p["steps"][1:]:
            satisfied = (to == "closed") if state == "callback" else None
            assign = to == "assigned"
            machine.check_step(state, to, department=p["department"] if assign else None,
                               deadline=p["deadline"] if assign else None, satisfied=satisfied)
            version = store.step(conn, county_code, made["id"], (state, version), to,
                                 "planner" if to in ("assigned", "closed") or state == "callback" else "commander",
                                 {"note": "回访不满意，退回重办" if satisfied is False else "",
                                  "department": p["department"] if assign else None,
                                  "deadline": p["deadline"] if assign else None, "satisfied": satisfied})
            state = to
        times = [_at(d, h) for _to, d, h in p["steps"]]
        store.backdate(conn, made["id"], times[0], times)
    return sum(HISTORIES.values())
