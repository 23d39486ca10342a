"""The 四单制 problem list (issue 16, item 2): list, create, read, take a step, count.

States and who may take which step: ``geo.problems``. A step names the state (and
optionally the version) the user saw: when the problem has moved on since, it is refused
(409 with the current state) and nothing is written. Stats per department and township
over local days [start, end): open and overdue at the period's last day (or today when the
period runs on), closed in the period, closed on time, satisfaction at callback.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from geo import problems as machine
from geo.calendar import today as local_today
from layers import problems as store
from layers.errors import Conflict, FeatureNotFound, InvalidInput

UNLOCATED = ""  # the key of problems outside every township in per-township stats


def _shown(row: dict, today: date) -> dict:
    """A problem as the API answers it: dates as text, its state's label, overdue."""
    out = {**row, "state_label": machine.label(row["state"]),
           "source_label": machine.SOURCES.get(row["source_kind"], row["source_kind"]),
           "overdue": machine.overdue(row["state"], row["deadline"], today),
           "on_time": machine.closed_on_time(row["state"], row["deadline"], row["closed_on"])}
    for key in ("deadline", "closed_on"):
        out[key] = out[key].isoformat() if out[key] else None
    for key in ("created_at", "updated_at"):
        out[key] = out[key].isoformat()
    return out


def listing(conn, county: str, filters, today: date) -> list[dict]:
    """The county's problems matching ``filters`` (``ProblemFilter``), newest first."""
    rows = store.listing(conn, county, filters.state, filters.township, filters.department,
                         today if filters.overdue else None)
    return [_shown(r, today) for r in rows]


def geojson(rows: list[dict]) -> dict:
    """The located problems among ``rows`` as a FeatureCollection (points, few properties)."""
    keep = ("id", "code", "title", "state", "state_label", "overdue", "department", "deadline", "category")
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(r["lon"], 6), round(r["lat"], 6)]},
         "properties": {k: r[k] for k in keep}} for r in rows if r["lon"] is not None]}


def detail(conn, county: str, problem_id: int, role: str, today: date) -> dict:
    """A problem with its steps and the steps ``role`` may take next; 404 when absent."""
    row = store.get(conn, county, problem_id)
    if row is None:
        raise FeatureNotFound(f"没有编号为 {problem_id} 的问题")
    steps = [{**s, "at": s["at"].isoformat(), "deadline": s["deadline"].isoformat() if s["deadline"] else None,
              "from_label": machine.label(s["from_state"]) if s["from_state"] else None,
              "to_label": machine.label(s["to_state"])} for s in store.steps(conn, problem_id)]
    nexts = [{"to": to, "label": machine.label(to), "action": machine.ACTIONS[(row["state"], to)],
              "allowed": machine.may_take(role, row["state"], to)} for to in machine.next_states(row["state"])]
    return {**_shown(row, today), "steps": steps, "next": nexts}


def _source(conn, county: str, values) -> tuple[dict, tuple[float, float] | None]:
    """What the source adds: a title, category and place from a check-in or incident."""
    where = (values.lon, values.lat) if values.lon is not None else None
    extra: dict = {}
    if values.source == "checkin":
        found = store.checkin_source(conn, county, int(values.source_ref))
        if found is None:
            raise InvalidInput(f"字段 source_ref 没有编号为 {values.source_ref} 的巡防打卡", "source_ref")
        extra["title"] = f"巡防打卡发现：{found['stop_name']}"
        where = where or ((found["lon"], found["lat"]) if found["lon"] is not None else None)
    elif values.source == "incident":
        found = store.incident_source(conn, county, values.source_ref)
        if found is None:
            raise InvalidInput(f"字段 source_ref 没有编号为 {values.source_ref} 的警情", "source_ref")
        extra["title"] = f"警情 {values.source_ref}：{found['category']}"
        where = where or (found["lon"], found["lat"])
    if where is None and values.village_code:
        where = store.village_point(conn, county, values.village_code)
        if where is None:
            raise InvalidInput(f"字段 village_code 本县没有编号为 {values.village_code} 的村", "village_code")
    if values.title:
        extra["title"] = values.title
    if "title" not in extra:
        raise InvalidInput("字段 title 缺少问题标题", "title")
    return extra, where


def create(conn, county: str, values, user: str) -> dict:
    """List a problem (``NewProblem``); its township and village located from its place.
    Returns {id, code, state}."""
    extra, where = _source(conn, county, values)
    made = store.create(conn, county, {"title": extra["title"], "description": values.description,
                                       "category": values.category, "source_kind": values.source,
                                       "source_ref": values.source_ref, "note": values.note}, where, user)
    return {**made, "state": "listed", "version": 1}


def transition(conn, county: str, problem_id: int, step, user: str, today: date) -> dict:
    """Take ``step`` (``Step``) on a problem. Refused (nothing written): 404 no such problem;
    409 the problem is no longer in the state (or version) the user saw, or the step is not
    allowed from its state; 400 a value the step needs is missing or wrong."""
    found = store.current(conn, county, problem_id)
    if found is None:
        raise FeatureNotFound(f"没有编号为 {problem_id} 的问题")
    state, version = found
    if state != step.expected or (step.version is not None and step.version != version):
        raise Conflict(f"问题已被他人处理：当前为“{machine.label(state)}”（版本 {version}），"
                       f"而不是您看到的“{machine.label(step.expected)}”，请刷新后再操作", current=state, key="state")
    try:
        machine.check_step(state, step.to, department=step.department, deadline=step.deadline,
                           satisfied=step.satisfied, today=today)
    except machine.StepRefused as err:
        if err.kind == "state":
            raise Conflict(str(err), current=state, key="state") from None
        raise InvalidInput(str(err), err.field) from None
    assign = (state, step.to) == ("listed", "assigned")
    new_version = store.step(conn, county, problem_id, (state, version), step.to, user,
                             {"note": step.note, "satisfied": step.satisfied,
                              "department": step.department.strip() if assign else None,
                              "deadline": step.deadline if assign else None})
    if new_version is None:  # cannot happen under the row lock; kept as the guard it is
        raise Conflict("问题已被他人处理，请刷新后再操作", current=state, key="state")
    return {"id": problem_id, "state": step.to, "state_label": machine.label(step.to), "version": new_version}


def _blank() -> dict:
    return {"open": 0, "overdue": 0, "closed": 0, "closed_on_time": 0, "callbacks": 0, "satisfied": 0}


def _count(rows: list[dict], key: str, start: date, end: date, today: date) -> dict[str, dict]:
    """Counts per ``key`` (township_code or department) over [start, end)."""
    as_of = min(end - timedelta(days=1), today)
    out: dict[str, dict] = defaultdict(_blank)
    for r in rows:
        c = out[r[key] or UNLOCATED]
        if r["created_on"] <= as_of and (r["closed_on"] is None or r["closed_on"] > as_of):
            c["open"] += 1
            c["overdue"] += r["deadline"] is not None and as_of > r["deadline"]
        if r["closed_on"] is not None and start <= r["closed_on"] < end:
            c["closed"] += 1
            c["closed_on_time"] += r["deadline"] is not None and r["closed_on"] <= r["deadline"]
        for day, satisfied in r["callbacks"]:
            if start <= day < end:
                c["callbacks"] += 1
                c["satisfied"] += satisfied
    return out


def _shares(c: dict) -> dict:
    """The counts with on_time_share and callback_satisfaction (None without any)."""
    return {"open": c["open"], "overdue": c["overdue"], "closed": c["closed"], "closed_on_time": c["closed_on_time"],
            "on_time_share": round(c["closed_on_time"] / c["closed"], 4) if c["closed"] else None,
            "callbacks": c["callbacks"],
            "callback_satisfaction": round(c["satisfied"] / c["callbacks"], 4) if c["callbacks"] else None}


def township_problems(conn, county_code: str, start: date, end: date) -> dict[str, dict]:
    """{township_code: {open, overdue, closed, closed_on_time, on_time_share,
    callback_satisfaction}} over local days [start, end), every township of the county a
    key (the ranking's input, issue 16 contract B). Open and overdue at the period's last
    day (today when the period runs on); closed = 销单 within the period."""
    counts = _count(store.for_stats(conn, county_code, end), "township_code", start, end, local_today())
    keys = ("open", "overdue", "closed", "closed_on_time", "on_time_share", "callback_satisfaction")
    return {code: {k: v for k, v in _shares(counts.get(code) or _blank()).items() if k in keys}
            for code in store.township_names(conn, county_code)}


def stats(conn, county: str, start: date, end: date, today: date) -> dict:
    """Per department and per township (every township present), and for the county."""
    rows = store.for_stats(conn, county, end)
    by_dept = _count([r for r in rows if r["department"]], "department", start, end, today)
    by_town = _count(rows, "township_code", start, end, today)
    county_counts = _blank()
    for c in by_town.values():
        for k in county_counts:
            county_counts[k] += c[k]
    towns = store.township_names(conn, county)
    return {"from": start.isoformat(), "to": end.isoformat(),
            "as_of": min(end - timedelta(days=1), today).isoformat(), "county": _shares(county_counts),
            "departments": [{"department": d, **_shares(c)} for d, c in sorted(by_dept.items())],
            "townships": [{"township_code": t, "name": name, **_shares(by_town.get(t) or _blank())} for t, name in towns.items()]
            + ([{"township_code": None, "name": "县域外或未定位", **_shares(by_town[UNLOCATED])}] if UNLOCATED in by_town else [])}
