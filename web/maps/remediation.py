"""The leader's map of remote villages coloured by remediation status."""
from __future__ import annotations

from typing import Callable

from web.maps.shell import add_overlay, figure_parts, fit_bounds, page_map
from web.maps.text import safe_text
from web.services.remediation import STATUS_LABELS

STATUS_COLORS = {"not_started": "#d7191c", "in_progress": "#fdae61", "remediated": "#1a9641"}


def _yes(flag) -> str:
    return "是" if flag else "否"


def _popup(r: dict, edit_url: Callable[[str], str] | None) -> str:
    link = f'<br><a href="{safe_text(edit_url(r["code"]))}">修改整治状态</a>' if edit_url else ""
    return (f"<b>{safe_text(r['name'])}</b>（{safe_text(r['township_name'] or '')}）"
            f"<br>状态：{STATUS_LABELS[r['status']]}"
            f"<br>管理有序：{_yes(r['orderly'])}；服务规范：{_yes(r['services'])}；视频覆盖：{_yes(r['video'])}"
            f"<br>确认日期：{r['confirmed_on'] or '—'}"
            f"{'<br>按例外认定：' + safe_text(r['exception_note']) if r.get('excepted') else ''}{link}")


def status_map(config, townships: list[dict], villages: list[dict], rows: list[dict],
               edit_url: Callable[[str], str] | None = None) -> dict:
    """Remote villages (GeoJSON features keyed by code) coloured by their row's status;
    ``edit_url(code)`` adds a link to the form when the user may edit. Page parts."""
    by_code = {r["code"]: r for r in rows}
    features = [{**f, "properties": {"status": by_code[f["id"]]["status"],
                                     "popup": _popup(by_code[f["id"]], edit_url)}}
                for f in villages if f["id"] in by_code]
    m = page_map(config, townships, deferred=True)
    add_overlay(m, "偏远村整治状态", features, lambda p: {"color": "#555", "weight": 1, "fillOpacity": 0.7,
                                                    "fillColor": STATUS_COLORS[p["status"]]}, popup="popup")
    bounds = fit_bounds(features)
    if bounds:
        m.fit_bounds(bounds)
    return figure_parts(m, layer_control=True, collapsed=True)
