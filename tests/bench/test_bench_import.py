"""Benchmarks of the importer: its time, and its peak memory against the file's size.

Time: 100,000 incidents from a GeoPackage, checked and imported, against ogr2ogr
(ogr2ogr -f PostgreSQL is what a user would otherwise run: it copies the rows without
checking anything). The target of the issue is under a minute for our import.

Memory: 1,000,000 incidents from a CSV and from a GeoPackage, imported by the CLI
(``flask --app web import``) in a subprocess against the test database. Its peak RSS
(the kernel's high-water mark, VmHWM, read with psutil's process handle while it runs)
less the same command's peak on a one-row file (the interpreter, its libraries and the
app) must stay under 4× the file's size. The plain alternative is the whole-file read a
user would write: ``geopandas.read_file`` (``pandas.read_csv`` + ``points_from_xy`` for the
CSV) and one write of the whole frame (``to_postgis`` needs SQLAlchemy, not installed, so
the frame goes through ``layers.store.upsert_layer``); no checks. Memory results are
recorded in MB in the seconds' fields of the report.
"""
import os
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import psutil
import psycopg2
import pytest
from psycopg2.extensions import parse_dsn
from shapely import points

from data.importer import import_file
from layers.catalog import INCIDENT_CATEGORIES
from tests.bench.report import record

N = 100_000
N_MEMORY = 1_000_000
MAX_MEMORY_RATIO = 4.0
ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024
pytestmark = pytest.mark.bench

PLAIN_IMPORT = """
import sys
import geopandas as gpd, pandas as pd, psycopg2
from layers import store
from layers.catalog import get_layer
url, path = sys.argv[1], sys.argv[2]
if path.endswith(".csv"):
    frame = pd.read_csv(path)
    frame = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame.lon, frame.lat), crs=4326)
else:
    frame = gpd.read_file(path)
frame["props"] = [{} for _ in range(len(frame))]
conn = psycopg2.connect(url)
store.upsert_layer(conn, get_layer("incidents"), frame, "410999", replace=True)
conn.commit()
"""


def _incidents(n, seed=1) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    lon = 111.6 + rng.normal(0, 0.15, n)
    lat = 33.8 + rng.normal(0, 0.12, n)
    t0 = pd.Timestamp("2025-01-01")
    return gpd.GeoDataFrame({
        "code": [f"I{i:07d}" for i in range(n)],
        "occurred_at": (t0 + pd.to_timedelta(rng.integers(0, 700 * 86400, n), unit="s")).strftime("%Y-%m-%d %H:%M:%S"),
        "category": rng.choice(INCIDENT_CATEGORIES, n),
    }, geometry=points(lon, lat), crs="EPSG:4326")


def _incidents_gpkg(path, n=N):
    _incidents(n).to_file(path, driver="GPKG", layer="incidents")
    return path


def _incidents_csv(path, n):
    frame = _incidents(n)
    pd.DataFrame({"code": frame["code"], "occurred_at": frame["occurred_at"],
                  "category": frame["category"], "lon": frame.geometry.x.round(7),
                  "lat": frame.geometry.y.round(7)}).to_csv(path, index=False)
    return path


def test_import_100k_incidents(app, tmp_path):
    path = _incidents_gpkg(tmp_path / "incidents.gpkg")
    url = app.config["RESOLVED_DATABASE_URL"]
    conn = psycopg2.connect(url)
    start = time.perf_counter()
    result = import_file(conn, "incidents", str(path), county_code="410999")
    conn.commit()
    ours = time.perf_counter() - start
    assert result.added == N
    conn.close()

    dsn = parse_dsn(url)
    pg = " ".join(f"{k}={v}" for k, v in dsn.items() if k in ("dbname", "host", "user", "port", "password"))
    start = time.perf_counter()
    subprocess.run(["ogr2ogr", "-f", "PostgreSQL", f"PG:{pg}", str(path), "-nln", "bench_ogr2ogr",
                    "-overwrite", "-lco", "SPATIAL_INDEX=GIST", "--config", "PG_USE_COPY", "YES"],
                   check=True)
    plain = time.perf_counter() - start
    record("import 100,000 incidents (GPKG)", ours, plain, "ogr2ogr -f PostgreSQL (no checks)",
           target="< 60 s")
    assert ours < 60


# ---------------------------------------------------------------- peak memory

def _high_water(proc: psutil.Process) -> int:
    """The process's peak RSS so far (VmHWM), or its current RSS where there is none."""
    try:
        with open(f"/proc/{proc.pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return proc.memory_info().rss


def peak_rss(args: list[str], env: dict, log: Path) -> tuple[int, float]:
    """Run ``args``; return (its peak RSS in bytes, seconds). Fails when it fails."""
    start = time.perf_counter()
    with log.open("wb") as out:
        child = subprocess.Popen(args, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        proc, peak = psutil.Process(child.pid), 0
        while child.poll() is None:
            try:
                peak = max(peak, _high_water(proc))
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                break
            time.sleep(0.01)
        child.wait()
    seconds = time.perf_counter() - start
    assert child.returncode == 0, log.read_text(errors="replace")[-3000:]
    return peak, seconds


def _flask_import(url: str, path: Path, log: Path) -> tuple[int, float]:
    env = dict(os.environ, DATABASE_URL=url)
    return peak_rss([str(ROOT / ".venv" / "bin" / "flask"), "--app", "web", "import", "incidents",
                     str(path), "--replace"], env, log)


def _plain_import(url: str, path: Path, log: Path) -> tuple[int, float]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return peak_rss([sys.executable, "-c", PLAIN_IMPORT, url, str(path)], env, log)


def _one_row(path: Path, kind: str) -> Path:
    """A one-row file like the benchmark's: the interpreter's baseline."""
    small = path.with_name(f"one{path.suffix}")
    if kind == "csv":
        return _incidents_csv(small, 1)
    return _incidents_gpkg(small, 1)


def _memory_bench(app, path: Path, kind: str, tmp_path: Path) -> None:
    url = app.config["RESOLVED_DATABASE_URL"]
    size = path.stat().st_size
    one = _one_row(path, kind)
    base, _ = _flask_import(url, one, tmp_path / "base.log")
    peak, seconds = _flask_import(url, path, tmp_path / "ours.log")
    plain_base, _ = _plain_import(url, one, tmp_path / "plain-base.log")
    plain_peak, plain_seconds = _plain_import(url, path, tmp_path / "plain.log")
    ours, plain = (peak - base) / MB, (plain_peak - plain_base) / MB
    print(f"\nMEMORY {kind}: file {size / MB:.1f} MB; ours peak {peak / MB:.0f} MB - baseline "
          f"{base / MB:.0f} MB = {ours:.0f} MB ({ours * MB / size:.2f}x the file) in "
          f"{seconds:.1f} s; plain {plain:.0f} MB ({plain * MB / size:.2f}x) in "
          f"{plain_seconds:.1f} s")
    record(f"import {N_MEMORY:,} incidents ({kind.upper()}, {size / MB:.0f} MB): peak memory "
           f"in MB above baseline, not s ({ours * MB / size:.2f}x the file; {seconds:.0f} s)",
           ours, plain, "geopandas whole-file read + one write (no checks)",
           target=f"< {MAX_MEMORY_RATIO:g}x the file")
    assert peak - base < MAX_MEMORY_RATIO * size


def test_import_memory_csv(app, tmp_path):
    path = _incidents_csv(tmp_path / "incidents.csv", N_MEMORY)
    _memory_bench(app, path, "csv", tmp_path)


def test_import_memory_gpkg(app, tmp_path):
    path = _incidents_gpkg(tmp_path / "incidents.gpkg", N_MEMORY)
    _memory_bench(app, path, "gpkg", tmp_path)
