"""Quarterly hotspot lists (R3): drafts, published versions, the quota.

A quarter has at most one draft and any number of published versions; a published
version is never changed. Publishing copies the version's items into the ``hotspots``
layer, which therefore always holds the quarter's list in force (its lifecycle:
``layers.hotspots``). Every change to a draft names the revision it was based on and
is refused (Conflict) when that is no longer current; a refused change changes nothing.
"""
from __future__ import annotations

import json
from datetime import date

import shapely
from psycopg2 import sql
from pyproj import Geod

from geo.calendar import previous_quarter
from geo.rules import COUNTY_REQUIRED, TOWNSHIP_REQUIRED
from layers.errors import Conflict, FeatureNotFound, InvalidInput, QuotaShort

GEOD = Geod(ellps="WGS84")
LIST_COLUMNS = ("id, quarter, version, state, based_on, created_at, created_by, published_at, published_by,"
                " revision, origin")
MIN_AREA_M2, MAX_AREA_M2 = 100.0, 5_000_000.0   # a hotspot is a place: 100 m² to 5 km²
SOURCES = ("candidate", "drawn", "picked", "point", "carried_over", "imported")


def _list_row(row) -> dict:
    keys = [k.strip() for k in LIST_COLUMNS.split(",")]
    out = dict(zip(keys, row))
    for k in ("created_at", "published_at"):
        out[k] = out[k].isoformat() if out[k] else None
    return out


def versions(conn, county: str, quarter: str) -> list[dict]:
    """Every version of the quarter's list, newest first (drafts included)."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {LIST_COLUMNS} FROM hotspot_lists WHERE county_code = %s AND quarter = %s"
                    " ORDER BY version DESC", (county, quarter))
        return [_list_row(r) for r in cur.fetchall()]


def get_list(conn, county: str, list_id: int, lock: bool = False) -> dict:
    """One version of a list; ``lock`` holds its row until the transaction ends (a second
    writer waits, then sees the first one's revision)."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {LIST_COLUMNS} FROM hotspot_lists WHERE county_code = %s AND id = %s"
                    + (" FOR UPDATE" if lock else ""), (county, list_id))
        row = cur.fetchone()
    if row is None:
        raise FeatureNotFound(f"没有编号为 {list_id} 的乱点清单")
    return _list_row(row)


def published(conn, county: str, quarter: str) -> dict | None:
    """The newest published version of the quarter's list, or None."""
    for v in versions(conn, county, quarter):
        if v["state"] == "published":
            return v
    return None


def draft(conn, county: str, quarter: str, user: str) -> dict:
    """The quarter's draft, created when there is none.

    A new draft copies the newest published version; the first draft of a quarter starts
    with the previous quarter's hotspots that were carried over. Does not commit.
    """
    with conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"hotspot-list/{county}/{quarter}",))
        for v in versions(conn, county, quarter):
            if v["state"] == "draft":
                return v
        base = published(conn, county, quarter)
        all_versions = versions(conn, county, quarter)
        number = (all_versions[0]["version"] if all_versions else 0) + 1
        cur.execute("INSERT INTO hotspot_lists (county_code, quarter, version, state, based_on, created_by)"
                    f" VALUES (%s, %s, %s, 'draft', %s, %s) RETURNING {LIST_COLUMNS}",
                    (county, quarter, number, base["id"] if base else None, user))
        new = _list_row(cur.fetchone())
        if base:
            cur.execute("""
                INSERT INTO hotspot_list_items (list_id, code, name, level, township_code, unit, deadline,
                    source, significant, incident_count, gi_z, carried_from, reason, picked, geom)
                SELECT %s, code, name, level, township_code, unit, deadline, source, significant,
                       incident_count, gi_z, carried_from, reason, picked, geom
                FROM hotspot_list_items WHERE list_id = %s""", (new["id"], base["id"]))
        else:
            prev = previous_quarter(quarter)
            cur.execute("""
                SELECT code, name, level, township_code, unit, geom FROM hotspots
                WHERE county_code = %s AND quarter = %s AND status = 'carried_over' ORDER BY code""",
                        (county, prev))
            for i, (code, name, level, township, unit, geom) in enumerate(cur.fetchall(), 1):
                with conn.cursor() as ins:
                    ins.execute("""
                        INSERT INTO hotspot_list_items (list_id, code, name, level, township_code, unit,
                            source, carried_from, geom)
                        VALUES (%s, %s, %s, %s, %s, %s, 'carried_over', %s, %s)""",
                                (new["id"], f"H{quarter}-C{i:02d}", name, level, township, unit, code, geom))
        return new


ITEM_COLUMNS = ("code, name, level, township_code, unit, deadline, source, significant, incident_count,"
                " gi_z, carried_from, reason, picked")


def items(conn, list_id: int) -> list[dict]:
    """The list's items as GeoJSON features (WGS 84), by code."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {ITEM_COLUMNS}, ST_AsGeoJSON(geom, 6)::json,"
                    " ST_Area(geom::geography) FROM hotspot_list_items WHERE list_id = %s ORDER BY code",
                    (list_id,))
        keys = [k.strip() for k in ITEM_COLUMNS.split(",")]
        out = []
        for row in cur.fetchall():
            props = dict(zip(keys, row[:len(keys)]))
            props["deadline"] = props["deadline"].isoformat() if props["deadline"] else None
            props["area_m2"] = round(row[-1], 1)
            out.append({"type": "Feature", "id": props["code"], "geometry": row[-2], "properties": props})
        return out


def _editable(conn, county: str, list_id: int, revision: int | None) -> dict:
    """The draft, locked, when it is still a draft at ``revision``; Conflict otherwise.

    Callers check everything else first and then call ``_bump``: a refused change leaves
    the revision as it was, so other planners' open forms stay valid.
    """
    lst = get_list(conn, county, list_id, lock=True)
    if lst["state"] != "draft":
        raise Conflict(f"清单 {lst['quarter']} 第 {lst['version']} 版已发布，不能修改；请在新草稿中修改",
                       current=lst["revision"], key="revision")
    if revision is not None and revision != lst["revision"]:
        raise Conflict(f"清单草稿已被他人修改（版本 {lst['revision']}），请刷新后再改",
                       current=lst["revision"], key="revision")
    return lst


editable = _editable   # for callers that check the revision before preparing a change


def _bump(conn, list_id: int) -> None:
    with conn.cursor() as cur:
        cur.execute("UPDATE hotspot_lists SET revision = revision + 1 WHERE id = %s", (list_id,))


def _check_geometry(geom, sized: bool = True) -> None:
    """A valid lon/lat polygon; ``sized``: of a hotspot's size (MIN_AREA_M2 to MAX_AREA_M2;
    candidates are what the analysis found, whatever their size)."""
    if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise InvalidInput("乱点范围必须是面（Polygon）", "geometry")
    if not geom.is_valid:
        raise InvalidInput(f"乱点范围无效：{shapely.is_valid_reason(geom)}", "geometry")
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise InvalidInput("乱点范围坐标超出经纬度范围", "geometry")
    area = area_m2(geom)
    if sized and not MIN_AREA_M2 <= area <= MAX_AREA_M2:
        raise InvalidInput(f"乱点范围面积 {area:,.0f} 平方米，应在 {MIN_AREA_M2:,.0f} 平方米与 "
                           f"{MAX_AREA_M2 / 1e6:g} 平方公里之间", "geometry")


def area_m2(geom) -> float:
    """Area on the WGS 84 ellipsoid of a lon/lat polygon, in m²."""
    return abs(GEOD.geometry_area_perimeter(geom)[0])


def _check_fields(fields: dict) -> None:
    if "level" in fields and fields["level"] not in ("county", "township"):
        raise InvalidInput(f"级别 '{fields['level']}' 无效（county 或 township）", "level")
    if "name" in fields and (not isinstance(fields["name"], str) or not fields["name"].strip()):
        raise InvalidInput("乱点名称不能为空", "name")
    for key in ("township_code", "unit"):
        if fields.get(key) is not None and not isinstance(fields[key], str):
            raise InvalidInput(f"{key} 应为文字", key)
    deadline = fields.get("deadline")
    if deadline is not None and not isinstance(deadline, date):
        try:
            date.fromisoformat(str(deadline))
        except ValueError:
            raise InvalidInput(f"整治期限应为日期（YYYY-MM-DD），而不是 '{deadline}'", "deadline") from None


def _next_code(cur, list_id: int, quarter: str) -> str:
    cur.execute("SELECT code FROM hotspot_list_items WHERE list_id = %s", (list_id,))
    taken = {row[0] for row in cur.fetchall()}
    n = len(taken) + 1
    while f"H{quarter}-{n:03d}" in taken:
        n += 1
    return f"H{quarter}-{n:03d}"


ADD_ITEM = """
    WITH area AS (SELECT ST_Multi(ST_GeomFromText(%(wkt)s, 4326)) AS g),
    town AS (SELECT t.code FROM townships t, area
             WHERE t.county_code = %(county)s AND ST_Intersects(t.geom, area.g)
             ORDER BY ST_Area(ST_Intersection(t.geom, area.g)) DESC, t.code LIMIT 1)
    INSERT INTO hotspot_list_items (list_id, code, name, level, township_code, unit, deadline,
        source, significant, incident_count, gi_z, reason, picked, geom)
    SELECT %(list)s, %(code)s, %(name)s, %(level)s, coalesce(%(township)s, (SELECT code FROM town)),
           %(unit)s, %(deadline)s, %(source)s, %(significant)s, %(count)s, %(z)s, %(reason)s,
           %(picked)s, area.g
    FROM area
    WHERE EXISTS (SELECT 1 FROM town)
       OR NOT EXISTS (SELECT 1 FROM townships WHERE county_code = %(county)s)"""


def _check_township(cur, county: str, code: str | None) -> None:
    if code is None:
        return
    cur.execute("SELECT 1 FROM townships WHERE county_code = %s AND code = %s", (county, code))
    if cur.fetchone() is None:
        raise InvalidInput(f"本县没有编码为 '{code}' 的乡镇", "township_code")


def _insert(cur, county: str, lst: dict, item: dict, where: tuple | None = None) -> str:
    """Check one item and insert it into the draft ``lst``; return its code. ``where``:
    (the list's field, the item's index) in a batch, named in a refusal (items[2].geometry)."""
    try:
        return _insert_checked(cur, county, lst, item)
    except InvalidInput as err:
        if where is None:
            raise
        field, index = where
        raise InvalidInput(f"第 {index + 1} 项：{err}", f"{field}[{index}].{err.field or 'geometry'}") from None


def _insert_checked(cur, county: str, lst: dict, item: dict) -> str:
    _check_geometry(item.get("geometry"), item.get("source", "drawn") != "candidate")
    _check_fields({k: item.get(k) for k in ("level", "name", "township_code", "unit", "deadline")})
    if item.get("source", "drawn") not in SOURCES:
        raise InvalidInput(f"来源 '{item.get('source')}' 无效", "source")
    _check_township(cur, county, item.get("township_code"))
    code = _next_code(cur, lst["id"], lst["quarter"])
    picked = item.get("picked")
    cur.execute(ADD_ITEM, {
        "list": lst["id"], "code": code, "name": item["name"].strip(), "level": item["level"],
        "township": item.get("township_code"), "county": county, "unit": item.get("unit"),
        "deadline": item.get("deadline"), "source": item.get("source", "drawn"),
        "significant": item.get("significant"), "count": item.get("incident_count"),
        "z": item.get("gi_z"), "reason": (item.get("reason") or "").strip(),
        "picked": None if picked is None else json.dumps(picked), "wkt": item["geometry"].wkt})
    if cur.rowcount == 0:
        raise InvalidInput("乱点范围不在本县任何乡镇内", "geometry")
    return code


def add_item(conn, county: str, list_id: int, item: dict, revision: int | None = None) -> str:
    """Add a hotspot to a draft; return its code. item: name, level, geometry (shapely,
    WGS 84, 100 m² to 5 km², in a township of the county), optional township_code (else
    the township holding most of it), unit, deadline, source, reason, picked (what it was
    made from), significant, incident_count, gi_z. Does not commit."""
    return add_items(conn, county, list_id, [item], revision)[0]


def add_items(conn, county: str, list_id: int, items: list[dict], revision: int | None = None,
              field: str = "items") -> list[str]:
    """Add several hotspots to a draft in one change (one revision); all or none. Does not
    commit: the caller's transaction is rolled back when one is refused. ``field``: what
    the request calls the list, named in a refusal (candidates[2].geometry)."""
    lst = _editable(conn, county, list_id, revision)
    with conn.cursor() as cur:
        codes = [_insert(cur, county, lst, item, (field, i) if len(items) > 1 else None)
                 for i, item in enumerate(items)]
    _bump(conn, list_id)
    return codes


EDITABLE = ("name", "level", "township_code", "unit", "deadline", "reason")


def update_item(conn, county: str, list_id: int, code: str, fields: dict, revision: int | None = None) -> None:
    """Change a draft item's name, level, township, unit or deadline. Does not commit."""
    _editable(conn, county, list_id, revision)
    changes = {k: v for k, v in fields.items() if k in EDITABLE}
    _check_fields(changes)
    if not changes:
        return
    if "reason" in changes:
        changes["reason"] = (changes["reason"] or "").strip()
    with conn.cursor() as cur:
        _check_township(cur, county, changes.get("township_code"))
    sets = sql.SQL(", ").join(sql.SQL("{} = %({})s").format(sql.Identifier(k), sql.SQL(k)) for k in changes)
    with conn.cursor() as cur:
        cur.execute(sql.SQL("UPDATE hotspot_list_items SET {} WHERE list_id = %(list)s AND code = %(code)s")
                    .format(sets), {**changes, "list": list_id, "code": code})
        if cur.rowcount == 0:
            raise FeatureNotFound(f"清单中没有编码为 '{code}' 的乱点")
    _bump(conn, list_id)


def remove_item(conn, county: str, list_id: int, code: str, revision: int | None = None) -> None:
    """Take an item off a draft. Does not commit."""
    _editable(conn, county, list_id, revision)
    with conn.cursor() as cur:
        cur.execute("DELETE FROM hotspot_list_items WHERE list_id = %s AND code = %s", (list_id, code))
        if cur.rowcount == 0:
            raise FeatureNotFound(f"清单中没有编码为 '{code}' 的乱点")
    _bump(conn, list_id)


def discard(conn, county: str, list_id: int, revision: int | None = None) -> dict:
    """Throw a draft away (its items with it); the published versions stay. Does not commit."""
    lst = _editable(conn, county, list_id, revision)
    with conn.cursor() as cur:
        cur.execute("DELETE FROM hotspot_lists WHERE id = %s AND state = 'draft'", (list_id,))
    return lst


def quota(conn, county: str, list_id: int | None) -> dict:
    """R3 against a list: county-level hotspots against 10, township-level per township against 5."""
    with conn.cursor() as cur:
        cur.execute("""
            SELECT t.code, t.name, count(i.id)
            FROM townships t LEFT JOIN hotspot_list_items i
              ON i.list_id = %s AND i.level = 'township' AND i.township_code = t.code
            WHERE t.county_code = %s GROUP BY t.code, t.name ORDER BY t.code""", (list_id, county))
        towns = [{"code": c, "name": n, "required": TOWNSHIP_REQUIRED, "selected": k,
                  "met": k >= TOWNSHIP_REQUIRED} for c, n, k in cur.fetchall()]
        cur.execute("SELECT count(*) FROM hotspot_list_items WHERE list_id = %s AND level = 'county'",
                    (list_id,))
        selected = cur.fetchone()[0]
    return {"county": {"required": COUNTY_REQUIRED, "selected": selected, "met": selected >= COUNTY_REQUIRED},
            "townships": towns}


def shortfall(q: dict) -> list[str]:
    """Plain sentences naming where a list is short of the quota."""
    out = []
    c = q["county"]
    if not c["met"]:
        out.append(f"县级乱点 {c['selected']} 个，少于 {c['required']} 个（差 {c['required'] - c['selected']} 个）")
    for t in q["townships"]:
        if not t["met"]:
            out.append(f"{t['name']}（{t['code']}）乡镇级乱点 {t['selected']} 个，少于 {t['required']} 个"
                       f"（差 {t['required'] - t['selected']} 个）")
    return out


def publish(conn, county: str, list_id: int, user: str, revision: int | None = None) -> dict:
    """Publish a draft: refused (QuotaShort) when short of R3; then the list is fixed and the
    hotspots layer holds it (statuses of hotspots kept from the earlier version stay).
    Does not commit."""
    lst = _editable(conn, county, list_id, revision)
    with conn.cursor() as cur:   # the same lock as opening a draft and recording an imported list
        cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"hotspot-list/{county}/{lst['quarter']}",))
    newest = published(conn, county, lst["quarter"])
    if newest is not None and newest["id"] != lst["based_on"]:
        raise Conflict(f"{lst['quarter']} 已有更新的已发布版本（第 {newest['version']} 版"
                       f"{'，导入' if newest['origin'] == 'imported' else ''}），此草稿基于较早的版本，发布会覆盖它；"
                       "请放弃此草稿，重新打开（复制最新版本）后再改", current=lst["revision"], key="revision")
    missing = shortfall(quota(conn, county, list_id))
    if missing:
        raise QuotaShort(missing)
    with conn.cursor() as cur:
        cur.execute("UPDATE hotspot_lists SET state = 'published', published_at = now(), published_by = %s,"
                    " revision = revision + 1 WHERE id = %s", (user, list_id))
        cur.execute("""
            DELETE FROM hotspots h WHERE h.county_code = %s AND h.quarter = %s
              AND NOT EXISTS (SELECT 1 FROM hotspot_list_items i WHERE i.list_id = %s AND i.code = h.code)""",
                    (county, lst["quarter"], list_id))
        cur.execute("""
            INSERT INTO hotspots (county_code, code, quarter, level, township_code, name, status, unit,
                                  deadline, carried_from, props, geom)
            SELECT %(county)s, i.code, %(quarter)s, i.level, i.township_code, i.name, 'listed', i.unit,
                   i.deadline, i.carried_from,
                   jsonb_build_object('list_version', %(version)s, 'significant', i.significant,
                                      'incident_count', i.incident_count, 'gi_z', i.gi_z), i.geom
            FROM hotspot_list_items i WHERE i.list_id = %(list)s
            ON CONFLICT (county_code, code) DO UPDATE SET
                level = EXCLUDED.level, township_code = EXCLUDED.township_code, name = EXCLUDED.name,
                unit = EXCLUDED.unit, deadline = EXCLUDED.deadline, carried_from = EXCLUDED.carried_from,
                props = hotspots.props || EXCLUDED.props, geom = EXCLUDED.geom, updated_at = now()
            RETURNING code, (xmax = 0)""",
                    {"county": county, "quarter": lst["quarter"], "version": lst["version"], "list": list_id})
        new_codes = [code for code, inserted in cur.fetchall() if inserted]
        for code in new_codes:
            cur.execute("INSERT INTO hotspot_status_events (county_code, hotspot_code, user_name, before_status,"
                        " after_status, note) VALUES (%s, %s, %s, NULL, 'listed', %s)",
                        (county, code, user, f"{lst['quarter']} 第 {lst['version']} 版清单发布"))
    return get_list(conn, county, list_id)


