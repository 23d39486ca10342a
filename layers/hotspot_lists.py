"""Quarterly hotspot lists (R3): drafts, published versions, lifecycle events (R10).

A quarter has at most one draft and any number of published versions; a published
version is never changed. Publishing copies the version's items into the ``hotspots``
layer, which therefore always holds the quarter's list in force; statuses there change
only through ``set_status``, which records an event.
"""
from __future__ import annotations

import json

import shapely

from layers.errors import Conflict, FeatureNotFound

COUNTY_REQUIRED = 10    # R3: the county lists at least 10 hotspots a quarter
TOWNSHIP_REQUIRED = 5   # R3: every township at least 5
LIFECYCLE = {"listed": ("remediating", "delisted", "carried_over"),
             "remediating": ("delisted", "carried_over"),
             "delisted": (), "carried_over": ()}


class QuotaShort(Exception):
    """Publishing refused: the list is short of the R3 quota; ``shortfall`` says where."""

    def __init__(self, shortfall: list[str]):
        self.shortfall = shortfall
        super().__init__("清单未达到配额，不能发布：" + "；".join(shortfall))


def previous_quarter(quarter: str) -> str:
    year, q = int(quarter[:4]), int(quarter[5])
    return f"{year - 1}Q4" if q == 1 else f"{year}Q{q - 1}"


def next_quarter(quarter: str) -> str:
    year, q = int(quarter[:4]), int(quarter[5])
    return f"{year + 1}Q1" if q == 4 else f"{year}Q{q + 1}"


LIST_COLUMNS = "id, quarter, version, state, based_on, created_at, created_by, published_at, published_by, revision"


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


def get_list(conn, county: str, list_id: int) -> dict:
    with conn.cursor() as cur:
        cur.execute(f"SELECT {LIST_COLUMNS} FROM hotspot_lists WHERE county_code = %s AND id = %s",
                    (county, list_id))
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
                    source, significant, incident_count, gi_z, carried_from, geom)
                SELECT %s, code, name, level, township_code, unit, deadline, source, significant,
                       incident_count, gi_z, carried_from, geom
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
                " gi_z, carried_from")


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
    lst = get_list(conn, county, list_id)
    if lst["state"] != "draft":
        raise Conflict(f"清单 {lst['quarter']} 第 {lst['version']} 版已发布，不能修改；请在新草稿中修改")
    if revision is not None and revision != lst["revision"]:
        raise Conflict(f"清单草稿已被他人修改（版本 {lst['revision']}），请刷新后再改", current=lst["revision"])
    with conn.cursor() as cur:
        cur.execute("UPDATE hotspot_lists SET revision = revision + 1 WHERE id = %s", (list_id,))
    return lst


def _check_geometry(geom) -> None:
    if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise ValueError("乱点范围必须是面（Polygon）")
    if not geom.is_valid:
        raise ValueError(f"乱点范围无效：{shapely.is_valid_reason(geom)}")
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ValueError("乱点范围坐标超出经纬度范围")


def add_item(conn, county: str, list_id: int, item: dict, revision: int | None = None) -> str:
    """Add a hotspot to a draft; return its code. item: name, level, geometry (shapely,
    WGS 84), optional township_code (else by location), unit, deadline, source, significant,
    incident_count, gi_z. Does not commit."""
    lst = _editable(conn, county, list_id, revision)
    _check_geometry(item.get("geometry"))
    if item.get("level") not in ("county", "township"):
        raise ValueError(f"级别 '{item.get('level')}' 无效（county 或 township）")
    if not (item.get("name") or "").strip():
        raise ValueError("乱点名称不能为空")
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM hotspot_list_items WHERE list_id = %s", (list_id,))
        n = cur.fetchone()[0] + 1
        code = f"H{lst['quarter']}-{n:03d}"
        cur.execute("SELECT 1 FROM hotspot_list_items WHERE list_id = %s AND code = %s", (list_id, code))
        while cur.fetchone():
            n += 1
            code = f"H{lst['quarter']}-{n:03d}"
            cur.execute("SELECT 1 FROM hotspot_list_items WHERE list_id = %s AND code = %s", (list_id, code))
        cur.execute("""
            INSERT INTO hotspot_list_items (list_id, code, name, level, township_code, unit, deadline,
                source, significant, incident_count, gi_z, geom)
            VALUES (%(list)s, %(code)s, %(name)s, %(level)s,
                    coalesce(%(township)s, (SELECT t.code FROM townships t WHERE t.county_code = %(county)s
                         AND ST_Intersects(t.geom, ST_PointOnSurface(ST_GeomFromText(%(wkt)s, 4326))) LIMIT 1)),
                    %(unit)s, %(deadline)s, %(source)s, %(significant)s, %(count)s, %(z)s,
                    ST_Multi(ST_GeomFromText(%(wkt)s, 4326)))""",
                    {"list": list_id, "code": code, "name": item["name"].strip(), "level": item["level"],
                     "township": item.get("township_code"), "county": county, "unit": item.get("unit"),
                     "deadline": item.get("deadline"), "source": item.get("source", "drawn"),
                     "significant": item.get("significant"), "count": item.get("incident_count"),
                     "z": item.get("gi_z"), "wkt": item["geometry"].wkt})
    return code


EDITABLE = ("name", "level", "township_code", "unit", "deadline")


def update_item(conn, county: str, list_id: int, code: str, fields: dict, revision: int | None = None) -> None:
    """Change a draft item's name, level, township, unit or deadline. Does not commit."""
    _editable(conn, county, list_id, revision)
    changes = {k: v for k, v in fields.items() if k in EDITABLE}
    if "level" in changes and changes["level"] not in ("county", "township"):
        raise ValueError(f"级别 '{changes['level']}' 无效（county 或 township）")
    if "name" in changes and not (changes["name"] or "").strip():
        raise ValueError("乱点名称不能为空")
    if not changes:
        return
    sets = ", ".join(f"{k} = %({k})s" for k in changes)
    with conn.cursor() as cur:
        cur.execute(f"UPDATE hotspot_list_items SET {sets} WHERE list_id = %(list)s AND code = %(code)s",
                    {**changes, "list": list_id, "code": code})
        if cur.rowcount == 0:
            raise FeatureNotFound(f"清单中没有编码为 '{code}' 的乱点")


def remove_item(conn, county: str, list_id: int, code: str, revision: int | None = None) -> None:
    """Take an item off a draft. Does not commit."""
    _editable(conn, county, list_id, revision)
    with conn.cursor() as cur:
        cur.execute("DELETE FROM hotspot_list_items WHERE list_id = %s AND code = %s", (list_id, code))
        if cur.rowcount == 0:
            raise FeatureNotFound(f"清单中没有编码为 '{code}' 的乱点")


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
    missing = shortfall(quota(conn, county, list_id))
    if missing:
        raise QuotaShort(missing)
    with conn.cursor() as cur:
        cur.execute("UPDATE hotspot_lists SET state = 'published', published_at = now(), published_by = %s"
                    " WHERE id = %s", (user, list_id))
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


def set_status(conn, county: str, code: str, status: str, user: str, note: str = "",
               evaluation: dict | None = None) -> int:
    """Move a listed hotspot along its lifecycle; return the event id. Does not commit."""
    with conn.cursor() as cur:
        cur.execute("SELECT status FROM hotspots WHERE county_code = %s AND code = %s FOR UPDATE", (county, code))
        row = cur.fetchone()
        if row is None:
            raise FeatureNotFound(f"没有编码为 '{code}' 的乱点")
        if status not in LIFECYCLE.get(row[0], ()):
            allowed = "、".join(LIFECYCLE.get(row[0], ())) or "无"
            raise ValueError(f"乱点 {code} 当前状态为 {row[0]}，不能改为 '{status}'（可改为：{allowed}）")
        cur.execute("UPDATE hotspots SET status = %s, updated_at = now() WHERE county_code = %s AND code = %s",
                    (status, county, code))
        cur.execute("INSERT INTO hotspot_status_events (county_code, hotspot_code, user_name, before_status,"
                    " after_status, note, evaluation) VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id",
                    (county, code, user, row[0], status, note or "",
                     json.dumps(evaluation, ensure_ascii=False) if evaluation else None))
        return cur.fetchone()[0]


def status_history(conn, county: str, code: str) -> list[dict]:
    with conn.cursor() as cur:
        cur.execute("SELECT id, recorded_at, user_name, before_status, after_status, note, evaluation"
                    " FROM hotspot_status_events WHERE county_code = %s AND hotspot_code = %s ORDER BY id DESC",
                    (county, code))
        return [{"id": i, "recorded_at": t.isoformat(), "user": u, "before": b, "after": a, "note": n,
                 "evaluation": e} for i, t, u, b, a, n, e in cur.fetchall()]


def listed(conn, county: str, quarter: str) -> list[dict]:
    """The quarter's hotspots in force, as GeoJSON features with township names."""
    with conn.cursor() as cur:
        cur.execute("""
            SELECT h.code, h.name, h.level, h.township_code, t.name, h.status, h.unit, h.deadline,
                   h.carried_from, ST_AsGeoJSON(h.geom, 6)::json
            FROM hotspots h LEFT JOIN townships t ON t.county_code = h.county_code AND t.code = h.township_code
            WHERE h.county_code = %s AND h.quarter = %s ORDER BY h.township_code, h.level, h.code""",
                    (county, quarter))
        out = []
        for code, name, level, tcode, tname, status, unit, deadline, carried, geom in cur.fetchall():
            out.append({"type": "Feature", "id": code, "geometry": geom, "properties": {
                "code": code, "name": name, "level": level, "township_code": tcode, "township_name": tname,
                "status": status, "unit": unit, "deadline": deadline.isoformat() if deadline else None,
                "carried_from": carried}})
        return out


def carried_chains(conn, county: str, quarter: str) -> list[dict]:
    """For each hotspot of the quarter, how many quarters in a row it has been on the list
    (following carried_from back), with its township: the input of the R10 flags."""
    with conn.cursor() as cur:
        cur.execute("""
            WITH RECURSIVE chain AS (
                SELECT h.code AS head, h.township_code, h.code, h.carried_from, 1 AS quarters
                FROM hotspots h WHERE h.county_code = %(county)s AND h.quarter = %(quarter)s
                UNION ALL
                SELECT c.head, c.township_code, p.code, p.carried_from, c.quarters + 1
                FROM chain c JOIN hotspots p ON p.county_code = %(county)s AND p.code = c.carried_from
                WHERE c.quarters < 40
            )
            SELECT head, township_code, max(quarters) FROM chain GROUP BY head, township_code ORDER BY head""",
                    {"county": county, "quarter": quarter})
        return [{"code": h, "township_code": t, "quarters": q} for h, t, q in cur.fetchall()]


def quarter_bounds(quarter: str) -> tuple[str, str]:
    """First day of the quarter and first day of the next, as ISO dates (local time)."""
    year, q = int(quarter[:4]), int(quarter[5])
    start = f"{year}-{3 * (q - 1) + 1:02d}-01"
    nxt = next_quarter(quarter)
    return start, f"{nxt[:4]}-{3 * (int(nxt[5]) - 1) + 1:02d}-01"


EVALUATION = """
    WITH h AS (SELECT geom FROM hotspots WHERE county_code = %(county)s AND code = %(code)s),
    rings AS MATERIALIZED (
        SELECT h.geom AS r,
               ST_Difference(ST_Buffer(h.geom::geography, %(buffer)s)::geometry, h.geom) AS d,
               ST_Buffer(h.geom::geography, %(buffer)s)::geometry AS rd
        FROM h),
    inc AS (
        SELECT i.geom, i.occurred_at >= %(after_start)s::date AS after
        FROM incidents i
        WHERE i.county_code = %(county)s
          AND i.occurred_at >= %(before_start)s::date AND i.occurred_at < %(after_end)s::date
          AND (%(category)s::text IS NULL OR i.category = %(category)s))
    SELECT count(*) FILTER (WHERE NOT after AND ST_Intersects(rings.r, inc.geom)),
           count(*) FILTER (WHERE after AND ST_Intersects(rings.r, inc.geom)),
           count(*) FILTER (WHERE NOT after AND ST_Intersects(rings.d, inc.geom)),
           count(*) FILTER (WHERE after AND ST_Intersects(rings.d, inc.geom)),
           count(*) FILTER (WHERE NOT after AND NOT ST_Intersects(rings.rd, inc.geom)),
           count(*) FILTER (WHERE after AND NOT ST_Intersects(rings.rd, inc.geom))
    FROM rings, inc"""


def evaluation_counts(conn, county: str, code: str, buffer_m: float = 500, category=None) -> dict:
    """Incidents before and after listing in the hotspot (R), a ring of ``buffer_m`` around it
    (D) and the rest of the county (C, the control): before is the quarter before the
    hotspot's quarter, after is the hotspot's quarter (its remediation quarter)."""
    with conn.cursor() as cur:
        cur.execute("SELECT quarter FROM hotspots WHERE county_code = %s AND code = %s", (county, code))
        row = cur.fetchone()
        if row is None:
            raise FeatureNotFound(f"没有编码为 '{code}' 的乱点")
        quarter = row[0]
        before_start, _ = quarter_bounds(previous_quarter(quarter))
        after_start, after_end = quarter_bounds(quarter)
        cur.execute(EVALUATION, {"county": county, "code": code, "buffer": buffer_m, "category": category,
                                 "before_start": before_start, "after_start": after_start,
                                 "after_end": after_end})
        rb, ra, db, da, cb, ca = cur.fetchone()
    return {"quarter": quarter, "before_quarter": previous_quarter(quarter), "buffer_m": buffer_m,
            "R_before": rb, "R_after": ra, "D_before": db, "D_after": da, "C_before": cb, "C_after": ca}
