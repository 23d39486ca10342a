"""Load the generated demo county into PostGIS."""
from __future__ import annotations

import logging
import os
import sys

from pathlib import Path

from data import calendar_file
from data.demo import disputes as demo_disputes
from data.demo import grids as demo_grids
from data.demo import problems as demo_problems
from data.demo import survey as demo_survey
from data.demo import rankings as demo_rankings
from layers import hotspot_imports, remediation, school_calendar, store, users
from layers.catalog import LAYERS

LOGGER = logging.getLogger(__name__)
DEMO_USERS = ("admin", "commander", "planner", "leader")
DEMO_PASSWORD_DEFAULT = "county-demo"
CALENDAR_DIR = Path(__file__).resolve().parent / "calendar"
#: national holidays and 调休 days as the State Council published them, and the demo terms
CALENDAR_FILES = ("holidays-2026.csv", "terms-demo.csv")


def track_codes(frame):
    """Codes of GPS points: team code and time, which identify a point."""
    return [f"{team}@{ts.isoformat()}" for team, ts in zip(frame["team_code"], frame["recorded_at"])]


def load_demo(conn, seed: int = 0, if_empty: bool = False, county_code: str | None = None,
              progress: bool = False):
    """Generate the demo county and write every layer; return {layer: rows}.

    With ``if_empty``, do nothing (return None) when townships already exist.
    Demo users (admin, commander, planner, leader) are created when there are no users.
    Does not commit.
    """
    from data.demo import COUNTY_CODE, generate_county

    county_code = county_code or COUNTY_CODE
    if if_empty and store.count_rows(conn, LAYERS["townships"], county_code) > 0:
        return None
    frames = generate_county(seed=seed, progress=progress)
    counts = {}
    for name, layer in LAYERS.items():
        frame = frames[name].copy()
        if "code" not in frame:
            frame["code"] = track_codes(frame)
        frame["props"] = [{} for _ in range(len(frame))]
        if progress:
            print(f"写入 {layer.title} ({name}): {len(frame)} 条", file=sys.stderr)
        store.upsert_layer(conn, layer, frame, county_code, replace=True)
        counts[name] = len(frame)
    store.locate(conn, county_code)
    imported = remediation.record_imported(conn, county_code)
    if progress and imported["exceptions"]:
        print(f"{len(imported['exceptions'])} 个已整治偏远村视频覆盖未达标，按例外记录："
              + "、".join(e["name"] for e in imported["exceptions"]), file=sys.stderr)
    hotspot_imports.record_imported(conn, county_code)
    counts["problems"] = demo_problems.load(conn, county_code, frames, seed)  # issue 16: the 四单制 list
    counts["survey_calls"] = demo_survey.load(conn, county_code, seed, frames)  # issue 16: opinion calls
    counts["dispute_screenings"] = demo_disputes.load(conn, county_code, seed)  # issue 16: dispute screening
    counts["village_staff"] = demo_grids.load_staff(conn, county_code, frames, seed)  # issue 16: 一村一警一法律顾问
    counts["calendar"] = load_calendar(conn, county_code)
    counts["rankings"] = len(demo_rankings.load(conn, county_code))  # issue 16: the published township rankings
    store.analyze(conn)
    create_demo_users(conn)
    return counts


def create_demo_users(conn) -> None:
    """The demo users (admin, commander, planner, leader) when there are no users yet."""
    if users.count_users(conn) == 0:
        password = os.environ.get("DEMO_PASSWORD", DEMO_PASSWORD_DEFAULT)
        for role in DEMO_USERS:
            users.create_user(conn, role, password, role)
        print(f"示范用户 (demo users): {', '.join(DEMO_USERS)}; 密码 (password): {password}",
              file=sys.stderr)


def load_calendar(conn, county_code: str, national: bool = True) -> int:
    """The national holidays of data/calendar (national rows; not with ``national=False``)
    and the demo terms (the county's); rows of the same day or term name are replaced.
    The rows loaded."""
    loaded = 0
    for name in CALENDAR_FILES:
        parsed = calendar_file.parse((CALENDAR_DIR / name).read_bytes())
        if parsed["kind"] == "days" and not national:
            continue
        for row in parsed["rows"]:
            if parsed["kind"] == "days":
                school_calendar.set_day(conn, None, row["date"], row["kind"], row["name"], "demo")
            else:
                school_calendar.save_term(conn, county_code, row, "demo")
        loaded += len(parsed["rows"])
    return loaded
