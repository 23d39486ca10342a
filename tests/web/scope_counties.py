"""Two small counties side by side for the scope tests: A (the configured county, 410999,
甲县) and B (411001, 乙县), each tests/web/test_maps.py's small county with its codes
prefixed by the county code, its names by the county's name, and A one degree east of B."""
from __future__ import annotations

import re

from shapely import affinity

from data.loader import track_codes
from layers import counties, store
from layers.catalog import LAYERS
from layers.db import transaction
from tests.conftest import password_hash
from tests.web.test_maps import X0, Y0, small_county

A, B = "410999", "411001"
NAMES = {A: "甲县", B: "乙县"}
SHIFT = {A: 1.0, B: 0.0}  # degrees east
REFS = ("code", "township_code", "village_code", "team_code")
# A's code where it is a code, not the tail of a coordinate such as 33.8410999
A_CODE = re.compile(r"(?<![0-9.])" + A)


def county_frames(county: str) -> dict:
    """The small county with this county's codes, names and place."""
    frames = small_county()
    for frame in frames.values():
        for column in REFS:
            if column in frame:
                frame[column] = [None if v is None else f"{county}{v}" for v in frame[column]]
        if "name" in frame:
            frame["name"] = [f"{NAMES[county]}{v}" for v in frame["name"]]
        frame.geometry = frame.geometry.apply(
            lambda g: None if g is None else affinity.translate(g, xoff=SHIFT[county]))
    frames["patrol_tracks"]["code"] = track_codes(frames["patrol_tracks"])
    return frames


def load_two_counties(url: str) -> None:
    with transaction(url) as conn:
        for county in (A, B):
            frames = county_frames(county)
            for name, layer in LAYERS.items():
                store.upsert_layer(conn, layer, frames[name], county, replace=True)
            store.locate(conn, county)
            counties.set_name(conn, county, NAMES[county])


def add_user(url: str, name: str, role: str, codes: list[str] | None) -> None:
    """A user with the tests' password and these counties (None: the configured county)."""
    with transaction(url) as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO users (name, password_hash, role, counties) VALUES (%s, %s, %s, %s)",
                    (name, password_hash(), role, codes))


def centre(county: str) -> tuple[float, float]:
    return X0 + 0.15 + SHIFT[county], Y0 + 0.05


def leaks(text: str) -> list[str]:
    """What of county A ``text`` shows: its code, its name."""
    return [m for m in (A_CODE.search(text) and A, NAMES[A] if NAMES[A] in text else None) if m]
