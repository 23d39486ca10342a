"""Township rankings and accountability (issue 16, item 3; R10 as seed §12 means it, R11).

A period (month '2026-11' or quarter '2026Q4') is computed from the registered inputs
(``web.services.ranking_inputs.INPUTS``) with the admin's settings (``ranking_config``; by
default every registered input weight 1, quarters, the last 1 place), scored and ranked by
``geo.rankings``. A preview is not stored; publishing stores it with the consecutive counts
carried from the previous published period, frozen: publishing it again needs an explicit
replace (the replaced rows are kept with who and when). Publishing needs the period to be
of the configured kind and ended, the previous period published (once any is), and no later
period published (its counts would rest on the old rows).
"""
from __future__ import annotations

from datetime import date

from geo import rankings as scoring
from geo.calendar import LOCAL
from layers import rankings as store
from layers.errors import Conflict, FeatureNotFound, InvalidInput
from layers.problems import township_names
from web.services.ranking_inputs import DEFAULT_WEIGHTS, INPUTS

DEFAULT_KIND = "quarter"
DEFAULT_BOTTOM = 1


def default_config() -> dict:
    """The registered inputs at their default weights (safety and satisfaction 2, the rest 1), quarters, the last 1 place."""
    return {"period_kind": DEFAULT_KIND, "weights": dict(DEFAULT_WEIGHTS), "bottom_places": DEFAULT_BOTTOM,
            "updated_by": None, "updated_at": None, "default": True}


def config(conn, county: str) -> dict:
    """The settings in force: the newest saved (inputs registered since get weight 0 and
    inputs no longer registered are dropped), or the default."""
    saved = store.config(conn, county)
    if saved is None:
        return default_config()
    weights = {k: float(saved["weights"].get(k, 0.0)) for k in INPUTS}
    at = saved["updated_at"]
    return {**saved, "weights": weights, "updated_at": at.astimezone(LOCAL).isoformat() if at else None, "default": False}


def save_config(conn, county: str, values, user: str) -> dict:
    """Keep new settings (``web.schemas.rankings.RankingConfig``); the settings in force."""
    unknown = sorted(set(values.weights) - set(INPUTS))
    if unknown:
        raise InvalidInput(f"字段 weights 含未知的指标：{'、'.join(unknown)}（可用：{'、'.join(INPUTS)}）", "weights")
    weights = {k: float(values.weights.get(k, 0.0)) for k in INPUTS}
    if not any(w > 0 for w in weights.values()):
        raise InvalidInput("字段 weights 至少要有一个指标的权重大于 0", "weights")
    store.save_config(conn, county, values.period_kind, weights, values.bottom_places, user)
    return config(conn, county)


def config_history(conn, county: str) -> list[dict]:
    """The saved settings, newest first (who, when)."""
    return [{**c, "updated_at": c["updated_at"].astimezone(LOCAL).isoformat(timespec="minutes")} for c in store.config_history(conn, county)]


def period_range(period: str, today: date) -> tuple[str, date, date]:
    """(kind, first day, day after) of a period that has begun; InvalidInput otherwise."""
    try:
        kind = scoring.period_kind(period)
    except ValueError as err:
        raise InvalidInput(f"参数 period {err}", "period") from None
    start, end = scoring.period_dates(period)
    if start > today:
        raise InvalidInput(f"参数 period {period} 尚未开始（今天是 {today.isoformat()}）", "period")
    return kind, start, end


def _previous_counts(conn, county: str, period: str) -> tuple[dict[str, int], bool]:
    """{township: consecutive} of the previous period as published, and whether it was."""
    rows = store.published(conn, county, scoring.previous_period(period))
    return {r["township_code"]: r["consecutive"] for r in rows}, bool(rows)


def _inputs(cfg: dict) -> list[dict]:
    return [{"key": k, "label": i.label_zh, "higher_is_better": i.higher_is_better, "scale": i.scale,
             "weight": cfg["weights"].get(k, 0.0)} for k, i in INPUTS.items()]


def compute(conn, county: str, period: str, today: date) -> dict:
    """The period ranked now with the settings in force (a preview: nothing stored)."""
    kind, start, end = period_range(period, today)
    cfg = config(conn, county)
    names = township_names(conn, county)
    raw = {}
    for k, one in INPUTS.items():
        if cfg["weights"].get(k, 0.0) > 0:
            values = one.fn(conn, county, start, end)
            raw[k] = {t: values.get(t) for t in names}
    scales = {k: (INPUTS[k].scale, INPUTS[k].higher_is_better) for k in raw}
    previous, had_previous = _previous_counts(conn, county, period)
    ranked = scoring.rank_townships(raw, scales, cfg["weights"], cfg["bottom_places"], previous)
    towns = [{"code": t, "name": names[t], **ranked[t]} for t in names]
    towns.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["code"]))
    return {"period": period, "kind": kind, "from": start.isoformat(), "to": end.isoformat(),
            "provisional": end > today, "published": False, "published_by": None, "published_at": None,
            "previous_period": scoring.previous_period(period), "previous_published": had_previous,
            "config": {"weights": cfg["weights"], "bottom_places": cfg["bottom_places"]},
            "inputs": _inputs(cfg), "townships": towns}


def _order(key: str) -> tuple[int, str]:
    """Registered inputs in their order, then any input no longer registered."""
    keys = list(INPUTS)
    return (keys.index(key), "") if key in keys else (len(keys), key)


def _published_doc(rows: list[dict], today: date) -> dict:
    first = rows[0]
    period = first["period"]
    start, end = scoring.period_dates(period)
    used = first["config"]
    inputs = [{"key": k, "label": INPUTS[k].label_zh if k in INPUTS else k,
               "higher_is_better": INPUTS[k].higher_is_better if k in INPUTS else True,
               "scale": INPUTS[k].scale if k in INPUTS else None, "weight": w}
              for k, w in sorted(used["weights"].items(), key=lambda kw: _order(kw[0]))]
    towns = [{"code": r["township_code"], "name": r["township_name"], "score": r["score"], "rank": r["rank"],
              "bottom": r["bottom"], "consecutive": r["consecutive"], "flag": r["flag"], "inputs": r["inputs"]}
             for r in rows]
    return {"period": period, "kind": first["period_kind"], "from": start.isoformat(), "to": end.isoformat(),
            "provisional": end > today, "published": True, "published_by": first["published_by"],
            "published_at": first["published_at"].astimezone(LOCAL).isoformat(), "previous_period": scoring.previous_period(period),
            "config": used, "inputs": inputs, "townships": towns}


def ranking(conn, county: str, period: str, today: date) -> dict:
    """The period as published, or else its preview."""
    period_range(period, today)
    rows = store.published(conn, county, period)
    return _published_doc(rows, today) if rows else compute(conn, county, period, today)


def _check_publishable(conn, county: str, period: str, kind: str, end: date, cfg: dict, today: date,
                       replace: bool) -> None:
    if kind != cfg["period_kind"]:
        raise InvalidInput(f"参数 period 应为{scoring.KIND_LABELS[cfg['period_kind']]}（系统设置的排名周期），"
                           f"而不是 {period}", "period")
    if end > today:
        raise InvalidInput(f"参数 period {period} 尚未结束，不能发布（可预览）", "period")
    latest = store.latest_period(conn, county, kind)
    if latest is not None and latest > period:
        raise Conflict(f"已发布更晚的 {latest}，不能再发布或替换 {period}（连续次数依次累计）", current=latest,
                       key="latest_period")
    if store.published(conn, county, period) and not replace:
        raise Conflict(f"{period} 已发布，不会被覆盖；如确需重新发布，请明确选择替换（replace）", current=period,
                       key="published_period")
    previous = scoring.previous_period(period)
    if latest is not None and latest != period and latest != previous:
        raise InvalidInput(f"参数 period：请先发布上一期 {previous}（最近已发布 {latest}）", "period")


def publish(conn, county: str, period: str, user: str, today: date, replace: bool = False) -> dict:
    """Compute and store the period (module doc for what is refused); the published document."""
    kind, _start, end = period_range(period, today)
    cfg = config(conn, county)
    store.lock(conn, county)
    _check_publishable(conn, county, period, kind, end, cfg, today, replace)
    doc = compute(conn, county, period, today)
    replaced = store.replace(conn, county, period, user) if replace else 0
    rows = [{"township_code": t["code"], **{k: t[k] for k in ("score", "rank", "inputs", "bottom", "consecutive",
                                                              "flag")}} for t in doc["townships"]]
    store.publish(conn, county, period, kind, rows, doc["config"], user)
    return {**_published_doc(store.published(conn, county, period), today), "replaced": replaced}


def history(conn, county: str, township: str) -> dict:
    """A township's published periods, oldest first: rank, score, bottom, consecutive, flag."""
    names = township_names(conn, county)
    if township not in names:
        raise FeatureNotFound(f"本县没有编码为 {township} 的乡镇")
    rows = store.history(conn, county, township)
    return {"township": township, "name": names[township],
            "periods": [{"period": r["period"], "kind": r["period_kind"], "rank": r["rank"], "score": r["score"],
                         "bottom": r["bottom"], "consecutive": r["consecutive"], "flag": r["flag"]}
                        for r in rows]}


def latest_flags(conn, county: str) -> dict | None:
    """The latest published period of the configured kind with its bottom townships (flag,
    consecutive count) for the cockpit; None when nothing was published."""
    kind = config(conn, county)["period_kind"]
    period = store.latest_period(conn, county, kind)
    if period is None:
        return None
    rows = store.published(conn, county, period)
    return {"period": period, "townships": len(rows),
            "bottom": [{"code": r["township_code"], "name": r["township_name"], "rank": r["rank"],
                        "score": r["score"], "flag": r["flag"], "consecutive": r["consecutive"]}
                       for r in rows if r["bottom"]]}


def cockpit_panel(conn, county: str, earlier: int = 2) -> dict | None:
    """``latest_flags`` with the flagged townships of the ``earlier`` published periods before
    it (latest first): the cockpit's ranking panel; None when nothing was published."""
    panel = latest_flags(conn, county)
    if panel is None:
        return None
    before, period = [], panel["period"]
    for _ in range(earlier):
        period = scoring.previous_period(period)
        rows = store.published(conn, county, period)
        if not rows:
            break
        before.append({"period": period, "flagged": [{"name": r["township_name"], "flag": r["flag"],
                                                     "consecutive": r["consecutive"]} for r in rows if r["flag"]]})
    return {**panel, "earlier": before}


def periods(conn, county: str) -> list[str]:
    """Every published period, latest first."""
    return store.periods(conn, county)


def table_rows(doc: dict) -> list[list]:
    """The period's table for an XLSX sheet: a header, then one row per township."""
    keys = [i["key"] for i in doc["inputs"]]
    head = ["名次", "乡镇编码", "乡镇", "得分", *[i["label"] for i in doc["inputs"]], "末位", "连续末位期数", "问责"]
    rows = [head]
    for t in doc["townships"]:
        rows.append([t["rank"], t["code"], t["name"], t["score"],
                     *[(t["inputs"].get(k) or {}).get("value") for k in keys],
                     "是" if t["bottom"] else "", t["consecutive"], t["flag"] or ""])
    return rows


def recent_periods(kind: str, today: date, count: int = 8) -> list[str]:
    """The period of ``today`` and the ``count`` - 1 before it, latest first."""
    out = [scoring.period_of(today, kind)]
    while len(out) < count:
        out.append(scoring.previous_period(out[-1]))
    return out


def sparkline(ranks: list[int | None], towns: int, width: int = 96, height: int = 24) -> str:
    """SVG polyline points of ranks over periods (rank 1 at the top); '' with fewer than 2."""
    known = [(i, r) for i, r in enumerate(ranks) if r is not None]
    if len(known) < 2:
        return ""
    step = width / max(len(ranks) - 1, 1)
    span = max(towns - 1, 1)
    return " ".join(f"{i * step:.1f},{2 + (r - 1) / span * (height - 4):.1f}" for i, r in known)


def township_histories(conn, county: str, kind: str, last: int = 8) -> dict:
    """The last ``last`` published periods of ``kind`` (oldest first) and per township its
    rank, bottom, consecutive and flag in each, with a sparkline of its ranks."""
    names = township_names(conn, county)
    periods_ = sorted(p for p in store.periods(conn, county) if scoring.period_kind(p) == kind)[-last:]
    rows = []
    for code, name in names.items():
        mine = {r["period"]: r for r in store.history(conn, county, code, kind)}
        cells = [mine.get(p) for p in periods_]
        rows.append({"code": code, "name": name,
                     "cells": [{"rank": c["rank"], "bottom": c["bottom"], "flag": c["flag"],
                                "consecutive": c["consecutive"]} if c else None for c in cells],
                     "spark": sparkline([c["rank"] if c else None for c in cells], len(names))})
    return {"periods": periods_, "townships": rows}
